import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens, encodeChat } from 'gpt-tokenizer';
import { canonicalizeUrl } from '../scanning/canonical.ts';
import type { LabeledFinding } from './dataset.ts';

/** What the oracle received in one chat completion, and what that cost in tokens. */
export interface OracleCall {
  /** The whole request body as sent (messages, response format). */
  body: { model: string; messages: { role: string; content: string }[]; response_format?: unknown };
  findings: { index: number; url: string; title?: string }[];
  promptTokens: number;
  completionTokens: number;
}

export interface OracleServer {
  /** Configure as OPENAI_BASE_URL: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  calls: OracleCall[];
  close(): Promise<void>;
}

type Label = LabeledFinding['label'];

/**
 * An OpenAI-compatible stand-in that is always right: it answers every finding of a chat
 * completion with that finding's own label, found by its canonical URL (and title, when one URL is
 * labeled twice). With it, the pipeline's recall is exactly the share of threats that reach the
 * judge. Usage is counted with the o200k tokenizer (gpt-tokenizer, data bundled in the package) on
 * the messages and response format actually sent, so tokens per finding can be compared.
 */
export async function startOracle(findings: readonly LabeledFinding[]): Promise<OracleServer> {
  const byUrl = new Map<string, { title: string; label: Label }[]>();
  for (const finding of findings) {
    const url = canonicalizeUrl(finding.url) ?? finding.url;
    byUrl.set(url, [...(byUrl.get(url) ?? []), { title: finding.title, label: finding.label }]);
  }
  const labelOf = (url: string, title: string | undefined): Label | undefined => {
    const labeled = byUrl.get(canonicalizeUrl(url) ?? url) ?? [];
    return (labeled.find((entry) => entry.title === title) ?? labeled[0])?.label;
  };
  const calls: OracleCall[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) return void response.writeHead(404).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OracleCall['body'];
        const user = body.messages.filter((m) => m.role === 'user').at(-1);
        const batch = (JSON.parse(user?.content ?? '{}') as { findings?: OracleCall['findings'] }).findings ?? [];
        const results = batch.map((finding) => {
          const label = labelOf(finding.url, finding.title);
          return label?.isThreat
            ? { index: finding.index, isThreat: true, category: label.category, severity: label.severity, confidence: 1, rationale: `oracle: labeled ${label.category}, ${label.severity}` }
            : { index: finding.index, isThreat: false, category: 'other', severity: 'low', confidence: 1, rationale: label ? 'oracle: labeled not a threat' : 'oracle: no label for this URL' };
        });
        const content = JSON.stringify({ results });
        const chat = body.messages.map((m) => ({ role: m.role as 'system' | 'user', content: m.content }));
        const promptTokens = encodeChat(chat, 'gpt-4o').length + (body.response_format ? countTokens(JSON.stringify(body.response_format)) : 0);
        const completionTokens = countTokens(content);
        calls.push({ body, findings: batch, promptTokens, completionTokens });
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: `chatcmpl-oracle-${calls.length}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
            usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
          }),
        );
      } catch (error) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error), type: 'invalid_request_error' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
