import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../../helpers/stub-server.ts';
import { chatCompletion, verdictsFor, type ChatCall, type LlmVerdict } from '../../helpers/stubs.ts';

export type LlmMode = 'up' | 'error-500' | 'hang';

export interface SwitchableLlm {
  /** `http://127.0.0.1:<port>/v1`, the same whether it is running or not. */
  baseUrl: string;
  mode: LlmMode;
  /** Chat completions asked for (answered or not), by mode at the time. */
  calls: { mode: LlmMode; findings: ChatCall['findings'] }[];
  /** Stops listening: connections are refused until `start`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible chat-completions server on 127.0.0.1 that can be switched off (connection
 * refused), made to fail (500) or to hang (the client's timeout), and brought back on the same
 * port, the way an LLM endpoint goes down and comes back while the worker keeps its configuration.
 */
export async function startSwitchableLlm(judge: (finding: ChatCall['findings'][number]) => Omit<LlmVerdict, 'index'>): Promise<SwitchableLlm> {
  const calls: SwitchableLlm['calls'] = [];
  const state = { mode: 'up' as LlmMode };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; messages: { role: string; content: string }[] };
      const findings = (JSON.parse(body.messages.find((m) => m.role === 'user')?.content ?? '{}') as { findings?: ChatCall['findings'] }).findings ?? [];
      calls.push({ mode: state.mode, findings });
      if (state.mode === 'hang') return;
      if (state.mode === 'error-500') return sendJson(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }, { 'retry-after-ms': '10' });
      const call: ChatCall = { authorization: req.headers.authorization, model: body.model, findings };
      sendJson(res, 200, chatCompletion(body.model, JSON.stringify({ results: verdictsFor(call, judge) })));
    });
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get mode() {
      return state.mode;
    },
    set mode(mode: LlmMode) {
      state.mode = mode;
    },
    calls,
    stop,
    start: () => (server.listening ? Promise.resolve() : listen(port)),
    close: stop,
  };
}
