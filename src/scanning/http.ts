import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export class FetchError extends Error {
  readonly url: string;
  constructor(url: string, message: string) {
    super(`${message} (${url})`);
    this.name = 'FetchError';
    this.url = url;
  }
}

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Non-public ranges that may still be reached (CIDRs): tests allow loopback; production none. */
  allowedPrivateRanges: readonly string[];
  maxRedirects?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface FetchedResponse {
  status: number;
  url: string;
  contentType: string;
  body: string;
}

/** Anything but ordinary public unicast: loopback, RFC 1918, link-local, CGNAT, ULA, multicast, … */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** Public addresses always; others only inside an allowed range. */
export function isAddressAllowed(address: string, allowedPrivateRanges: readonly string[]): boolean {
  if (isPublicAddress(address)) return true;
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return allowedPrivateRanges.some((range) => {
    const [network, bits] = ipaddr.parseCIDR(range);
    return network.kind() === parsed.kind() && parsed.match(network, bits);
  });
}

/**
 * A `lookup` for http(s).request that refuses hostnames resolving to a non-allowed address, so the
 * check applies to the address actually connected to. Shared by sources and webhook delivery.
 */
export function guardedLookup(
  allowedPrivateRanges: readonly string[],
  refusal: (hostname: string, address: string) => Error = (_hostname, address) =>
    Object.assign(new Error(`refusing to connect to non-public address ${address}`), { code: 'EPRIVATEADDR' }),
): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = list.find((a) => !isAddressAllowed(a.address, allowedPrivateRanges));
      if (refused) return callback(refusal(hostname, refused.address), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * GET with a timeout, a body size limit and an address guard applied on every hop: the resolved IP
 * (not just the name) is checked, so DNS tricks and redirects to internal hosts are refused too.
 */
export async function safeFetch(rawUrl: string, options: FetchOptions): Promise<FetchedResponse> {
  const maxRedirects = options.maxRedirects ?? 5;
  let url = new URL(rawUrl);
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError(url.href, `unsupported protocol ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && !isAddressAllowed(host, options.allowedPrivateRanges)) {
      throw new FetchError(url.href, `refusing to connect to non-public address ${host}`);
    }
    const response = await requestOnce(url, options);
    if (response.status >= 300 && response.status < 400 && response.location) {
      url = new URL(response.location, url);
      continue;
    }
    return { status: response.status, url: url.href, contentType: response.contentType, body: response.body };
  }
  throw new FetchError(rawUrl, `more than ${maxRedirects} redirects`);
}

interface RawResponse {
  status: number;
  location: string | undefined;
  contentType: string;
  body: string;
}

function requestOnce(url: URL, options: FetchOptions): Promise<RawResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
    const request = client.get(
      url,
      {
        lookup: guardedLookup(options.allowedPrivateRanges),
        // A fresh connection every time: a pooled keep-alive socket skips the lookup above, so a
        // connection opened under another policy (or by unguarded code) would bypass the guard.
        agent: false,
        signal: AbortSignal.any(signals),
        headers: { 'user-agent': 'VigilBot/1.0 (+brand monitoring)', accept: '*/*', ...options.headers },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          response.resume();
          resolve({ status, location: response.headers.location, contentType: '', body: '' });
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          request.destroy();
          reject(new FetchError(url.href, `response of ${declared} bytes exceeds the ${options.maxBytes}-byte limit`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            request.destroy();
            reject(new FetchError(url.href, `response exceeds the ${options.maxBytes}-byte limit`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status,
            location: undefined,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error) => reject(new FetchError(url.href, error.message)));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.name === 'AbortError' || error.name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : error.message;
      reject(new FetchError(url.href, reason));
    });
  });
}

/** safeFetch + status check + JSON.parse, with errors that name the URL. */
export async function fetchJson(url: string, options: FetchOptions): Promise<unknown> {
  const response = await safeFetch(url, options);
  if (response.status < 200 || response.status >= 300) throw new FetchError(url, `HTTP ${response.status}`);
  try {
    return JSON.parse(response.body);
  } catch {
    throw new FetchError(url, 'response is not valid JSON');
  }
}
