import type http from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { Registry } from 'prom-client';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import { outcomeCounter } from './metrics.ts';

/**
 * The common GraphQL request — a POST of one JSON operation, answered with JSON — run straight on
 * yoga's envelop (the same parse and validation caches, plugins, context, executor and error
 * masking as every other request), without the Fetch API adapter around it. That adapter built a
 * `Request`, a `Headers`, a body stream and a `Response` for every request, through a chain of
 * promise wrappers: about two thirds of the CPU a trivial query cost (see BENCHMARKS.md).
 *
 * Anything else — another method, content type or `Accept`, a browser's cross-origin request
 * (CORS), a batch, persisted operations, a document that does not parse or validate, a credential
 * that is refused, a subscription — goes to yoga whole, with the body already read, so it answers
 * exactly as before. Nothing that runs before execution has side effects, so handing over after a
 * failed parse or a refused credential changes nothing.
 */

/** `Accept` values answered here (spaces removed, lower case), with the media type yoga picks for each. */
const ANSWERED_ACCEPT: Readonly<Record<string, string>> = {
  '': 'application/json',
  '*/*': 'application/json',
  'application/json': 'application/json',
  'application/graphql-response+json': 'application/graphql-response+json',
  // Yoga takes the last listed type it can serve.
  'application/graphql-response+json,application/json': 'application/graphql-response+json',
  'application/json,application/graphql-response+json': 'application/json',
};
const JSON_CONTENT_TYPES = new Set(['application/json', 'application/json;charset=utf-8']);
const PARAMETERS = new Set(['query', 'variables', 'operationName', 'extensions']);

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

export interface ServerContextBase {
  req?: http.IncomingMessage;
  res?: http.ServerResponse;
}

/** A Node header's value as the Fetch API gives it: repeated headers joined by commas. */
function headerText(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The part of a Fetch `Request` that Vigil's context and plugins read: the headers. */
class NodeHeaders {
  readonly #headers: http.IncomingHttpHeaders;
  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers;
  }
  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    return value === undefined ? null : headerText(value);
  }
  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}

export interface DirectJsonOptions<TServerContext extends ServerContextBase> {
  yoga: YogaServerInstance<TServerContext, Record<string, unknown>>;
  /** Headers a plugin adds to the response of an executed request (the rate limit's). */
  responseHeaders?: (request: object) => Record<string, string> | undefined;
  /** Masks an error thrown (not returned) by execution, as yoga's `maskedErrors` does. */
  maskThrown: (error: unknown) => GraphQLError;
  /** Told of each request taken: answered here, or handed over to yoga. */
  onOutcome?: (outcome: 'answered' | 'handed_over') => void;
}

export interface DirectJson<TServerContext> {
  /**
   * The media type to answer with when the request's line and headers are ones this path takes (the
   * body is checked after); undefined leaves the request to yoga.
   */
  mediaTypeFor(req: http.IncomingMessage): string | undefined;
  handle(req: http.IncomingMessage, res: http.ServerResponse, serverContext: TServerContext, mediaType: string): Promise<void>;
}

export function createDirectJson<TServerContext extends ServerContextBase>(options: DirectJsonOptions<TServerContext>): DirectJson<TServerContext> {
  const { yoga } = options;

  /** Yoga answers it from the buffered body, as it would have from the socket. */
  async function handOver(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, serverContext: TServerContext): Promise<void> {
    options.onOutcome?.('handed_over');
    const headers = new yoga.fetchAPI.Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, headerText(value));
    }
    const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, {
      method: req.method,
      headers,
      body: body.toString('utf8'),
    });
    const response = await yoga.handleRequest(request, serverContext as never);
    await sendNodeResponse(response, res, req, true);
  }

  return {
    mediaTypeFor(req) {
      if (req.method !== 'POST' || req.headers.origin !== undefined) return undefined;
      const contentType = req.headers['content-type']?.replace(/\s/g, '').toLowerCase();
      if (contentType === undefined || !JSON_CONTENT_TYPES.has(contentType)) return undefined;
      const accept = req.headers.accept;
      return ANSWERED_ACCEPT[accept === undefined ? '' : accept.replace(/\s/g, '').toLowerCase()];
    },

    async handle(req, res, serverContext, mediaType) {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch {
        return; // the client went away mid-body: nobody to answer
      }
      const params = paramsOf(body);
      if (!params) return handOver(req, res, body, serverContext);

      const request = { method: 'POST', url: req.url, headers: new NodeHeaders(req.headers) };
      const enveloped = yoga.getEnveloped({ ...serverContext, request, params } as never);
      let document: DocumentNode;
      try {
        document = enveloped.parse(params.query);
        if (enveloped.validate(enveloped.schema, document).length > 0) return handOver(req, res, body, serverContext);
      } catch {
        return handOver(req, res, body, serverContext);
      }
      const operation = getOperationAST(document, params.operationName);
      if (!operation || operation.operation === 'subscription') return handOver(req, res, body, serverContext);
      let contextValue: unknown;
      try {
        contextValue = await enveloped.contextFactory();
      } catch {
        return handOver(req, res, body, serverContext);
      }

      let result: ExecutionResult & { stringify?: (value: unknown) => string };
      try {
        result = (await enveloped.execute({
          schema: enveloped.schema,
          document,
          contextValue,
          variableValues: params.variables,
          operationName: params.operationName,
        })) as typeof result;
      } catch (error) {
        result = { errors: [options.maskThrown(error)] };
      }
      options.onOutcome?.('answered');
      if (res.destroyed) return;
      const extra = options.responseHeaders?.(request);
      if (result.errors?.length || (result.extensions as { http?: unknown } | undefined)?.http) {
        // Statuses and error shapes exactly as yoga's own result processor makes them.
        const response = await processRegularResult(result, yoga.fetchAPI, mediaType);
        if (extra) for (const [name, value] of Object.entries(extra)) response.headers.set(name, value);
        await sendNodeResponse(response, res, req, true);
        return;
      }
      const text = (result.stringify ?? JSON.stringify)(result);
      res.writeHead(200, { ...extra, 'Content-Type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
  };
}

/** The body's parameters when they are one well-formed operation; undefined hands the request to yoga. */
function paramsOf(body: Buffer): Params | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const params = value as Record<string, unknown>;
  for (const key in params) if (!PARAMETERS.has(key)) return undefined;
  if (typeof params.query !== 'string') return undefined;
  if (params.variables != null && (typeof params.variables !== 'object' || Array.isArray(params.variables))) return undefined;
  if (params.operationName != null && typeof params.operationName !== 'string') return undefined;
  if (params.extensions != null && (typeof params.extensions !== 'object' || Array.isArray(params.extensions))) return undefined;
  return params as unknown as Params;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('request closed before its body ended'));
    });
  });
}

/** Counts the GraphQL POSTs the direct path took, by whether it answered them or yoga did. */
export function directJsonOutcomes(registry: Registry): (outcome: 'answered' | 'handed_over') => void {
  const counter = outcomeCounter(
    registry,
    'vigil_graphql_direct_requests_total',
    'GraphQL POSTs of one JSON operation, by whether the direct path answered them or handed them to yoga (a document that does not parse or validate, refused credentials, a batch, a subscription)',
  );
  const answered = counter.labels('answered');
  const handedOver = counter.labels('handed_over');
  return (outcome) => (outcome === 'answered' ? answered : handedOver).inc();
}
