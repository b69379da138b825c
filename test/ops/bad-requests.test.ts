import { existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Every way a request can be refused, answered the way the GraphQL-over-HTTP spec says: a 4xx
 * status for `application/graphql-response+json`, 200 with `errors` for `application/json` (once
 * the request itself is well formed), and always a JSON body whose error carries a code.
 */
let server: TestServer;
let account: TestAccount;
/** This process's captured server log (see test/helpers/log-capture.ts), and where this file's part starts. */
const logFile = path.join(inject('logCaptureDir'), `vigil-${process.pid}.log`);
let logStart = 0;

beforeAll(async () => {
  server = await startTestServer({ maxRequestBytes: 20_000 });
  account = await signUpAccount(server);
  logStart = existsSync(logFile) ? statSync(logFile).size : 0;
});
afterAll(async () => {
  await server?.stop();
});

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

const deep = '{ alerts(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { monitor { scans(first: 1) { edges { node { id } } } } } } } } } } } } } } } }';
const aliases = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
const tokens = `{ ${Array.from({ length: 6_000 }, () => 'a').join(' ')} }`;
const costly = `{ ${Array.from({ length: 19 }, (_, i) => `m${i}: monitors(first: 100) { edges { node { scans(first: 100) { edges { node { suppressedFindings { url reason } } } } } } }`).join(' ')} }`;
const byFilter = 'query ($filter: AlertFilter) { alerts(first: 1, filter: $filter) { pageInfo { hasNextPage } } }';
const byCount = 'query ($first: Int!) { alerts(first: $first) { pageInfo { hasNextPage } } }';

interface Case {
  name: string;
  /** The request body (JSON), or a raw one with its own headers. */
  body?: unknown;
  raw?: { body: string; headers: Record<string, string> };
  method?: 'GET' | 'POST';
  query?: string;
  headers?: Record<string, string>;
  isAuthenticated?: boolean;
  /** Status for `application/graphql-response+json`, and for `application/json` when it differs. */
  status: number;
  jsonStatus?: number;
  code: string;
}

const cases: Case[] = [
  { name: 'a document nested too deep', body: { query: deep }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'QUERY_TOO_DEEP' },
  { name: 'too many aliases', body: { query: aliases }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'TOO_MANY_ALIASES' },
  { name: 'too many tokens', body: { query: tokens }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'TOO_MANY_TOKENS' },
  { name: 'too costly', body: { query: costly }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'QUERY_TOO_COSTLY' },
  { name: 'a syntax error', body: { query: '{ viewer { ' }, status: 400, jsonStatus: 200, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'an unknown field', body: { query: '{ viewr { role } }' }, status: 400, jsonStatus: 200, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an Int variable given "abc"', body: { query: byCount, variables: { first: 'abc' } }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'BAD_USER_INPUT' },
  { name: 'a required variable missing', body: { query: byCount, variables: {} }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'BAD_USER_INPUT' },
  { name: 'an unknown enum value', body: { query: byFilter, variables: { filter: { statuses: ['OPENED'] } } }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'BAD_USER_INPUT' },
  { name: 'a DateTime that is not one', body: { query: byFilter, variables: { filter: { since: 'yesterday' } } }, isAuthenticated: true, status: 400, jsonStatus: 200, code: 'BAD_USER_INPUT' },
  { name: 'a global id that is not one', body: { query: '{ node(id: "%%%") { id } }' }, isAuthenticated: true, status: 200, code: 'VALIDATION_ERROR' },
  { name: 'a bad API key', body: { query: '{ viewer { role } }' }, headers: { authorization: 'Bearer vgl_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, status: 401, code: 'UNAUTHENTICATED' },
  { name: 'an API key cut short', body: { query: '{ viewer { role } }' }, headers: { authorization: 'Bearer vgl_aaaaaaaaaaaa_AAAA' }, status: 401, code: 'UNAUTHENTICATED' },
  { name: 'a body that is not JSON', raw: { body: '{ "query": ', headers: { 'content-type': JSON_TYPE } }, status: 400, code: 'BAD_REQUEST' },
  { name: 'an unsupported media type', raw: { body: '{ viewer { role } }', headers: { 'content-type': 'text/plain' } }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'nothing acceptable to answer with', body: { query: '{ viewer { role } }' }, headers: { accept: 'application/xml' }, status: 406, code: 'NOT_ACCEPTABLE' },
  { name: 'a mutation over GET', method: 'GET', query: 'mutation { logOut { __typename } }', status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'a body over the limit', body: { query: '{ viewer { role } }', variables: { padding: 'x'.repeat(30_000) } }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
];

async function send(testCase: Case, accept: string) {
  const headers: Record<string, string> = {
    accept,
    ...(testCase.isAuthenticated ? { authorization: `Bearer ${account.accessToken}` } : {}),
    ...(testCase.raw?.headers ?? (testCase.method === 'GET' ? {} : { 'content-type': JSON_TYPE })),
    ...testCase.headers,
  };
  const url = new URL(`${server.url}/graphql`);
  if (testCase.method === 'GET') url.searchParams.set('query', testCase.query!);
  const response = await fetch(url, {
    method: testCase.method ?? 'POST',
    headers,
    body: testCase.method === 'GET' ? undefined : (testCase.raw?.body ?? JSON.stringify(testCase.body)),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

it('a bad API key is answered as a bad API key, not as a bad access token', async () => {
  for (const key of ['vgl_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'vgl_aaaaaaaaaaaa_AAAA']) {
    const answer = await send({ name: 'key', body: { query: '{ viewer { role } }' }, headers: { authorization: `Bearer ${key}` }, status: 401, code: 'UNAUTHENTICATED' }, JSON_TYPE);
    expect((JSON.parse(answer.text) as { errors: { message: string }[] }).errors[0]!.message).toBe('The API key is not valid');
  }
});

function codes(text: string): string[] {
  const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
  return (body.errors ?? []).map((error) => error.extensions?.code ?? '(none)');
}

describe('every refusal has a status, a JSON body and a code', () => {
  it.each(cases)('$name → $status $code (application/graphql-response+json)', async (testCase) => {
    const answer = await send(testCase, `${GRAPHQL_RESPONSE}, ${JSON_TYPE};q=0.9`);
    const isHttpLevel = testCase.status !== 400 && testCase.status !== 200 && testCase.status !== 401;
    expect({ status: answer.status, codes: codes(answer.text) }).toEqual({ status: testCase.status, codes: [testCase.code] });
    expect(answer.contentType).toContain(isHttpLevel || testCase.raw ? 'json' : GRAPHQL_RESPONSE);
  });

  it.each(cases.filter((c) => c.jsonStatus !== undefined))('$name → $jsonStatus $code (application/json)', async (testCase) => {
    const answer = await send(testCase, JSON_TYPE);
    expect({ status: answer.status, codes: codes(answer.text) }).toEqual({ status: testCase.jsonStatus, codes: [testCase.code] });
    expect(answer.contentType).toContain(JSON_TYPE);
  });

  /** Sends `request` as raw bytes (what fetch will not send) and splits the answer. */
  async function sendRaw(request: string): Promise<{ head: string; body: string }> {
    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
        // A keep-alive answer leaves the socket open: stop once the whole body is in.
        const [head, body = ''] = received.split('\r\n\r\n');
        const length = Number(/content-length: (\d+)/i.exec(head!)?.[1]);
        if (Number.isFinite(length) && Buffer.byteLength(body) >= length) socket.destroy();
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.write(request);
    });
    const separator = raw.indexOf('\r\n\r\n');
    const head = raw.slice(0, separator);
    const body = raw.slice(separator + 4);
    return { head, body: /transfer-encoding: chunked/i.test(head) ? dechunk(body) : body };
  }

  function dechunk(body: string): string {
    let text = '';
    for (let rest = body; ; ) {
      const end = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.slice(0, end), 16);
      if (!size) return text;
      text += rest.slice(end + 2, end + 2 + size);
      rest = rest.slice(end + 2 + size + 2);
    }
  }

  it('header fields too large → 431 REQUEST_HEADER_FIELDS_TOO_LARGE, answered by the HTTP parser with a JSON body', async () => {
    const { head, body } = await sendRaw(`GET /graphql HTTP/1.1\r\nhost: localhost\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(codes(body)).toEqual(['REQUEST_HEADER_FIELDS_TOO_LARGE']);
  });

  it('a POST without Content-Length (chunked) → 411 LENGTH_REQUIRED', async () => {
    const chunk = JSON.stringify({ query: '{ viewer { role } }' });
    const { head, body } = await sendRaw(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 411 /);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(codes(body)).toEqual(['LENGTH_REQUIRED']);
  });

  it('a malformed HTTP request → 400 BAD_REQUEST with a JSON body', async () => {
    const { head, body } = await sendRaw('NOT HTTP AT ALL\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(codes(body)).toEqual(['BAD_REQUEST']);
  });
});

describe('logs', () => {
  it('every refusal above is a client mistake: logged at info with its code, never as an error', () => {
    const lines = readFileSync(logFile).subarray(logStart).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; codes?: string[]; msg: string });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    const codes = new Set(lines.filter((line) => line.level === 30).flatMap((line) => line.codes ?? []));
    for (const code of ['QUERY_TOO_DEEP', 'TOO_MANY_ALIASES', 'TOO_MANY_TOKENS', 'QUERY_TOO_COSTLY', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'VALIDATION_ERROR', 'UNAUTHENTICATED']) {
      expect(codes, code).toContain(code);
    }
  });
});
