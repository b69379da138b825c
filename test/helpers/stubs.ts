import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { sql } from 'drizzle-orm';
import type { ScanningConfig } from '../../src/config.ts';
import type { ScanOutcome } from '../../src/scanning/run-scan.ts';
import { MonitorAlertsDocument, ScanDetailDocument, ScanMonitorNowDocument, UsageDocument } from '../generated/graphql.ts';
import { dataOf } from './domain.ts';
import { rawId } from './fixtures.ts';
import { scanNow } from './scanning.ts';
import type { TestServer } from './server.ts';
import { sendJson, startStubServer, type RecordedRequest, type StubServer } from './stub-server.ts';

// ---------------------------------------------------------------------------------------------
// Feeds

export interface FeedEntry {
  title: string;
  url: string;
  text: string;
}

const xml = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Two threats about Acme a feed may carry: a phishing page and a credentials leak. */
export const ACME_THREAT_ENTRIES: readonly FeedEntry[] = [
  { title: 'Acme account suspended', url: 'https://acme-login-verify.xyz/signin', text: 'Verify your Acme password now to unlock your account' },
  { title: 'Acme customer database dump', url: 'https://paste.example.net/raw/1', text: 'Leaked Acme credentials from a breach' },
];

export function rssFeed(entries: readonly FeedEntry[]): string {
  const items = entries
    .map((e) => `<item><title>${xml(e.title)}</title><link>${xml(e.url)}</link><description>${xml(e.text)}</description></item>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Stub feed</title><link>https://feeds.example/</link>\n${items}\n</channel></rss>\n`;
}

export function atomFeed(entries: readonly FeedEntry[]): string {
  const items = entries
    .map((e) => `<entry><title>${xml(e.title)}</title><link href="${xml(e.url)}"/><id>${xml(e.url)}</id><summary>${xml(e.text)}</summary></entry>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Stub atom</title><id>urn:stub</id>\n${items}\n</feed>\n`;
}

export function jsonFeed(entries: readonly FeedEntry[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Stub JSON feed',
    items: entries.map((e) => ({ id: e.url, url: e.url, title: e.title, content_text: e.text })),
  });
}

// ---------------------------------------------------------------------------------------------
// A stub serving fixed paths

export interface Route {
  status?: number;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Answer after this long. */
  delayMs?: number;
  /** Never answer (until the stub is closed). */
  isHanging?: boolean;
  /** Hold every request until this settles, then answer with the route as it is by then. */
  gate?: Promise<unknown>;
}

export interface RouteServer extends StubServer {
  /** Change what a path answers while the stub runs. */
  routes: Record<string, Route>;
  hits(path: string): number;
}

/** A stub server answering each path from `routes` (404 otherwise); the table can be changed later. */
export async function startRouteServer(initial: Record<string, Route>): Promise<RouteServer> {
  const routes = { ...initial };
  const stub = await startStubServer(async (request, response) => {
    const route = routes[request.url.pathname];
    if (!route) return void response.writeHead(404).end('not found');
    if (route.isHanging) return;
    if (route.gate) await route.gate;
    if (route.delayMs) await new Promise((resolve) => setTimeout(resolve, route.delayMs));
    if (response.destroyed) return;
    const current = routes[request.url.pathname] ?? route;
    response
      .writeHead(current.status ?? 200, { 'content-type': current.contentType ?? 'application/rss+xml', ...current.headers })
      .end(current.body ?? '');
  });
  return { ...stub, routes, hits: (path) => stub.requests.filter((r) => r.url.pathname === path).length };
}

// ---------------------------------------------------------------------------------------------
// An OpenAI-compatible chat-completions stand-in

export interface LlmVerdict {
  index: number;
  isThreat: boolean;
  category: string;
  severity: string;
  confidence: number;
  rationale: string;
}

/** What the analyzer sent in one chat completion. */
export interface ChatCall {
  authorization: string | undefined;
  model: string;
  findings: { index: number; url: string; title: string; snippet: string }[];
}

export type ChatReply =
  | { verdicts: LlmVerdict[]; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { content: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { status: number; headers?: Record<string, string>; body?: unknown };

export interface OpenAiStub extends StubServer {
  /** Base URL to configure, `${url}/v1`. */
  baseUrl: string;
  /** Every POST /v1/chat/completions, parsed. */
  calls(): ChatCall[];
}

export function parseChatCall(request: RecordedRequest): ChatCall {
  const body = JSON.parse(request.body) as { model: string; messages: { role: string; content: string }[] };
  const user = body.messages.find((m) => m.role === 'user');
  const payload = JSON.parse(user?.content ?? '{}') as { findings?: ChatCall['findings'] };
  return { authorization: request.headers.authorization, model: body.model, findings: payload.findings ?? [] };
}

/** The chat.completion shape the OpenAI API answers with. */
export function chatCompletion(model: string, content: string, usage = { prompt_tokens: 1_000, completion_tokens: 200 }) {
  return {
    id: `chatcmpl-${randomBytes(6).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/**
 * Answers POST /v1/chat/completions with `reply(call, attempt)`: verdicts (wrapped as the model's
 * JSON content), raw content, or an HTTP error. `attempt` counts calls from 1.
 */
export async function startOpenAiStub(reply: (call: ChatCall, attempt: number) => ChatReply): Promise<OpenAiStub> {
  let attempt = 0;
  const stub = await startStubServer((request, response: http.ServerResponse) => {
    if (request.method !== 'POST' || request.url.pathname !== '/v1/chat/completions') return void response.writeHead(404).end();
    attempt += 1;
    const call = parseChatCall(request);
    const answer = reply(call, attempt);
    if ('status' in answer) {
      sendJson(response, answer.status, answer.body ?? { error: { message: `stub error ${answer.status}`, type: 'server_error' } }, answer.headers);
    } else {
      const content = 'verdicts' in answer ? JSON.stringify({ results: answer.verdicts }) : answer.content;
      sendJson(response, 200, chatCompletion(call.model, content, answer.usage));
    }
  });
  const isChat = (r: RecordedRequest) => r.method === 'POST' && r.url.pathname === '/v1/chat/completions';
  return { ...stub, baseUrl: `${stub.url}/v1`, calls: () => stub.requests.filter(isChat).map(parseChatCall) };
}

/** A verdict for every finding the analyzer sent, from `judge(finding)`. */
export function verdictsFor(call: ChatCall, judge: (finding: ChatCall['findings'][number]) => Omit<LlmVerdict, 'index'>): LlmVerdict[] {
  return call.findings.map((finding) => ({ index: finding.index, ...judge(finding) }));
}

// ---------------------------------------------------------------------------------------------
// Scans, alerts and credits through the API

/** Queues a manual scan through the API (the server needs a zero cooldown to repeat it). */
export async function queueScan(server: TestServer, token: string, monitorId: string): Promise<string> {
  const queued = dataOf(await server.gql(ScanMonitorNowDocument, { id: monitorId }, { token })).scanMonitorNow;
  if (queued.__typename !== 'ScanMonitorNowPayload') throw new Error(`scanMonitorNow failed: ${JSON.stringify(queued)}`);
  return queued.scan.id;
}

export async function readScan(server: TestServer, token: string, scanId: string) {
  const scan = dataOf(await server.gql(ScanDetailDocument, { id: scanId }, { token })).scan;
  if (!scan) throw new Error(`scan ${scanId} not found`);
  return scan;
}

/** Queues a scan through the API, runs it in this process as the worker would, and reads it back. */
export async function runScan(server: TestServer, token: string, monitorId: string, config: ScanningConfig) {
  const scanId = await queueScan(server, token, monitorId);
  const outcome: ScanOutcome = await scanNow(server, monitorId, config);
  return { outcome, ...(await readScan(server, token, scanId)) };
}

export async function monitorAlerts(server: TestServer, token: string, monitorId: string) {
  return dataOf(await server.gql(MonitorAlertsDocument, { monitorId }, { token })).alerts.edges.map((e) => e.node);
}

/** Balance and ledger (newest first) as `[reason, delta, balanceAfter]`. */
export async function creditsOf(server: TestServer, token: string) {
  const usage = dataOf(await server.gql(UsageDocument, { first: 100 }, { token })).usage;
  return { balance: usage.creditBalance, ledger: usage.ledger.edges.map((e) => [e.node.reason, e.node.delta, e.node.balanceAfter] as const) };
}

/** Sets the balance the way an operator would: an ADJUSTMENT entry, so the ledger still adds up. */
export async function adjustCreditBalance(server: TestServer, organizationId: string, balance: number): Promise<void> {
  await server.database.db.execute(sql`
    with old as (select credit_balance from organizations where id = ${rawId(organizationId)} for update),
    updated as (update organizations set credit_balance = ${balance} where id = ${rawId(organizationId)} returning credit_balance)
    insert into credit_ledger (organization_id, delta, balance_after, reason)
    select ${rawId(organizationId)}, ${balance} - old.credit_balance, ${balance}, 'adjustment' from old`);
}

export async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
