import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ErrorCode } from '../lib/error-codes.ts';

/** The body of every refusal made outside GraphQL execution: the same shape as a GraphQL error. */
export function refusalBody(message: string, code: ErrorCode): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

/** Statuses yoga answers with an empty body (or a code of its own), and what Vigil says instead. */
const HTTP_REFUSALS: Record<number, { code: ErrorCode; message: string }> = {
  405: { code: 'METHOD_NOT_ALLOWED', message: 'Use POST (or GET for queries only) on /graphql.' },
  406: { code: 'NOT_ACCEPTABLE', message: 'Accept application/graphql-response+json, application/json or text/event-stream.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json.' },
};

/**
 * Every refusal has a JSON body with a code: yoga's 405, 406 and 415 answers get one, and variable
 * values that do not fit their types (an Int given "abc", an unknown enum value, a bad DateTime, a
 * missing required variable) become `BAD_USER_INPUT` with the GraphQL-over-HTTP status (400 for
 * `application/graphql-response+json`, 200 for `application/json`) instead of a code-less 200.
 */
export function useRefusalCodes(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          if (!isVariableRefusal(result)) return;
          setResult({ errors: result.errors!.map(badUserInput) });
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (Symbol.asyncIterator in result || !isVariableRefusal(result)) return;
          setResult({ errors: result.errors!.map(badUserInput) });
        },
      };
    },
    onResponse({ response, setResponse, fetchAPI }) {
      const refusal = HTTP_REFUSALS[response.status];
      if (!refusal) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      headers.delete('content-length');
      setResponse(new fetchAPI.Response(refusalBody(refusal.message, refusal.code), { status: response.status, headers }));
    },
  };
}

/**
 * The executor answers a variable it cannot coerce with errors, no `data` and no path (coded as a
 * validation failure, or not at all); refusals of Vigil's own plugins already carry their code.
 */
function isVariableRefusal(result: ExecutionResult): boolean {
  const errors = result.errors ?? [];
  return !('data' in result) && errors.length > 0 && errors.every((error) => !error.path && [undefined, 'GRAPHQL_VALIDATION_FAILED'].includes(error.extensions?.code as string | undefined));
}

function badUserInput(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, http: { status: 400, spec: true } },
  });
}

/**
 * Node's HTTP parser answers some requests itself, before Vigil sees them (headers over its limit,
 * malformed requests); by default with an empty body. This gives those answers a JSON body and a
 * code too.
 */
export function answerClientErrorsWithJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message]: [number, ErrorCode, string] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'The request headers are larger than the server accepts.']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'BAD_REQUEST', 'The request was not received in time.']
          : [400, 'BAD_REQUEST', 'The HTTP request is malformed.'];
    const body = refusalBody(message, code);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
