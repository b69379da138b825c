import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { RateLimitConfig } from '../../src/http/rate-limit.ts';
import { purgeExpiredRateLimitBuckets } from '../../src/services/rate-limits.ts';
import { createTestApiKey } from '../helpers/accounts.ts';
import { demoMonitorInput, rawId, signUpAccount } from '../helpers/fixtures.ts';
import { sleep, startExtraApp, type ExtraApp } from '../helpers/live.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connectLive } from '../helpers/ws.ts';
import {
  CreateMonitorDocument,
  OnAlertCreatedDocument,
  RateLimitAlertNotesDocument,
  RateLimitAlertsDocument,
  RateLimitMonitorScansDocument,
  RateLimitStatsDocument,
  RateLimitViewerDocument,
  RateLimitWebhooksDocument,
} from '../generated/graphql.ts';

const LIMITS: RateLimitConfig = { points: 100, windowSeconds: 3_600, anonymousPoints: 60, trustedProxies: 1 };

let server: TestServer;
const replicas: ExtraApp[] = [];

/** Another API replica on the same database, with rate-limit settings of its own. */
async function startReplica(rateLimit: RateLimitConfig): Promise<ExtraApp> {
  const replica = await startExtraApp(server.databaseUrl, { rateLimit });
  replicas.push(replica);
  return replica;
}

interface RateLimitExtension {
  cost: number;
  limit: number;
  remaining: number;
  resetAt: string;
}

interface Answer<R> {
  status: number;
  headers: Headers;
  data?: R | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  rateLimit?: RateLimitExtension;
}

async function send<R, V>(
  baseUrl: string,
  document: TypedDocumentNode<R, V>,
  variables?: V,
  options: { token?: string; forwardedFor?: string } = {},
): Promise<Answer<R>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as Omit<Answer<R>, 'status' | 'headers' | 'rateLimit'> & { extensions?: { rateLimit?: RateLimitExtension } };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors, rateLimit: body.extensions?.rateLimit };
}

function remaining(answer: Answer<unknown>): number {
  return Number(answer.headers.get('x-ratelimit-remaining'));
}

async function pointsUsed(key: string): Promise<number | undefined> {
  const [row] = await server.database.sql<{ points_used: number }[]>`select points_used from rate_limit_buckets where key = ${key}`;
  return row?.points_used;
}

/** Leaves `left` points in the bucket's current window (a test shortcut for "spend until almost out"). */
async function leave(key: string, left: number, limit = LIMITS.points): Promise<void> {
  await server.database.sql`update rate_limit_buckets set points_used = ${limit - left} where key = ${key}`;
}

beforeAll(async () => {
  server = await startTestServer({ rateLimit: LIMITS });
});
afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await server?.stop();
});

describe('cost-based rate limiting', () => {
  it('charges each operation its documented cost and reports the budget in headers and extensions', async () => {
    const account = await signUpAccount(server);
    const token = account.accessToken;

    const first = await send(server.url, RateLimitViewerDocument, {}, { token });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    expect(first.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(remaining(first)).toBe(99);
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(Date.now() + 3_590_000);
    expect(reset * 1000).toBeLessThan(Date.now() + 3_610_000);
    expect(first.rateLimit).toEqual({ cost: 1, limit: 100, remaining: 99, resetAt: expect.any(String) });
    expect(Math.ceil(Date.parse(first.rateLimit!.resetAt) / 1000)).toBe(reset);

    // Base 1, plus one point per 10 items a connection may return, multiplied through nesting.
    const costs: [Answer<unknown>, number][] = [
      [await send(server.url, RateLimitAlertsDocument, { first: 5 }, { token }), 2],
      [await send(server.url, RateLimitAlertsDocument, { first: 50 }, { token }), 6],
      [await send(server.url, RateLimitAlertsDocument, {}, { token }), 3], // the default page: 20
      [await send(server.url, RateLimitMonitorScansDocument, {}, { token }), 12], // 1 + (10 + 10×10)/10
      [await send(server.url, CreateMonitorDocument, { input: demoMonitorInput() }, { token }), 5], // mutations start at 5
      [await send(server.url, RateLimitWebhooksDocument, {}, { token }), 3], // 1 + 20/10: a list of at most 20 webhooks
      [await send(server.url, RateLimitAlertNotesDocument, {}, { token }), 7], // 1 + (10 + 10×5)/10
      [await send(server.url, RateLimitStatsDocument, { range: { since: new Date(Date.now() - 7 * 86_400_000).toISOString(), until: new Date().toISOString() } }, { token }), 1],
    ];
    let expected = 99;
    for (const [answer, cost] of costs) {
      expected -= cost;
      expect(answer.errors).toBeUndefined();
      expect(answer.rateLimit).toMatchObject({ cost, remaining: expected });
      expect(remaining(answer)).toBe(expected);
    }
    expect(await pointsUsed(`user:${rawId(account.userId)}`)).toBe(100 - expected);
  });

  it('refuses an operation the budget cannot cover with 429 and RATE_LIMITED, without running it or charging for it', async () => {
    const account = await signUpAccount(server);
    const token = account.accessToken;
    const key = `user:${rawId(account.userId)}`;
    await send(server.url, RateLimitViewerDocument, {}, { token });
    await leave(key, 4);

    const refused = await send(server.url, CreateMonitorDocument, { input: demoMonitorInput() }, { token });
    expect(refused.status).toBe(429);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.message).toMatch(/rate limit exceeded: this operation costs 5 points and 4 of 100 remain/i);
    expect(refused.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', cost: 5, limit: 100, remaining: 4, resetAt: expect.any(String) });
    expect(Date.parse(refused.errors![0]!.extensions!.resetAt as string)).toBeGreaterThan(Date.now());
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3_500);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    expect(remaining(refused)).toBe(4);

    // Nothing ran: no monitor was created.
    const [{ count }] = await server.database.sql<{ count: number }[]>`
      select count(*)::int as count from monitors where organization_id = ${account.organizationId}`;
    expect(count).toBe(0);
    // Nothing was charged: the 4 points left still buy smaller operations.
    const cheap = await send(server.url, RateLimitViewerDocument, {}, { token });
    expect(cheap.status).toBe(200);
    expect(cheap.rateLimit).toMatchObject({ cost: 1, remaining: 3 });
  });

  it('refuses an operation that costs more than the whole budget, saying why', async () => {
    const small = await startReplica({ ...LIMITS, points: 60 });
    const { accessToken } = await signUpAccount(server);
    const big = await send(small.url, RateLimitMonitorScansDocument, { first: 100 }, { token: accessToken });
    // 1 + (100 + 100×10)/10 = 111 points against a budget of 60.
    expect(big.status).toBe(429);
    expect(big.errors![0]!.message).toMatch(/costs 111 points, more than the whole budget of 60/);
    expect(big.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 111, limit: 60, remaining: 60 });
  });

  it('charges nothing for an operation refused for missing credentials (as the README says)', async () => {
    const forwardedFor = '192.0.2.201';
    const refused = await send(server.url, RateLimitMonitorScansDocument, { first: 100 }, { forwardedFor });
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(refused.rateLimit).toBeUndefined();
    const open = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor });
    expect(open.rateLimit).toMatchObject({ cost: 1, limit: 60, remaining: 59 });
  });

  it('gives the full budget back when a new window starts', async () => {
    const quick = await startReplica({ ...LIMITS, points: 3, windowSeconds: 1 });
    const account = await signUpAccount(server);
    const token = account.accessToken;
    for (const left of [2, 1, 0]) {
      const answer = await send(quick.url, RateLimitViewerDocument, {}, { token });
      expect(answer.status).toBe(200);
      expect(answer.rateLimit?.remaining).toBe(left);
    }
    const refused = await send(quick.url, RateLimitViewerDocument, {}, { token });
    expect(refused.status).toBe(429);
    const resetAt = Date.parse(refused.errors![0]!.extensions!.resetAt as string);
    expect(resetAt - Date.now()).toBeLessThanOrEqual(1_000);

    await sleep(Math.max(0, resetAt - Date.now()) + 50);
    const renewed = await send(quick.url, RateLimitViewerDocument, {}, { token });
    expect(renewed.status).toBe(200);
    expect(renewed.rateLimit).toMatchObject({ cost: 1, limit: 3, remaining: 2 });
    expect(Date.parse(renewed.rateLimit!.resetAt)).toBeGreaterThan(resetAt);
  });

  it('keeps separate budgets for an API key, a user and each anonymous address, and across tenants', async () => {
    const owner = await signUpAccount(server);
    const other = await signUpAccount(server);
    const apiKey = await createTestApiKey(server, owner.accessToken, { role: 'VIEWER' });

    // The owner has paid 5 for creating the key; now 11 more.
    const spent = await send(server.url, RateLimitAlertsDocument, { first: 100 }, { token: owner.accessToken });
    expect(spent.rateLimit).toMatchObject({ cost: 11, remaining: 84 });

    // The owner's API key has a budget of its own, untouched by the owner's spending.
    const byKey = await send(server.url, RateLimitViewerDocument, {}, { token: apiKey.secret });
    expect(byKey.rateLimit).toMatchObject({ cost: 1, limit: 100, remaining: 99 });
    expect(await pointsUsed(`key:${rawId(apiKey.id)}`)).toBe(1);
    // Another organization's user likewise.
    const byOther = await send(server.url, RateLimitAlertsDocument, { first: 100 }, { token: other.accessToken });
    expect(byOther.rateLimit).toMatchObject({ cost: 11, remaining: 89 });

    // Anonymous callers pay per address, from a smaller budget: the one the proxy appended.
    const anonymousA = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '10.0.0.1, 203.0.113.7' });
    expect(anonymousA.data).toEqual({ viewer: null });
    expect(anonymousA.rateLimit).toMatchObject({ cost: 1, limit: 60, remaining: 59 });
    await leave('ip:203.0.113.7', 0, 60);
    expect((await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '203.0.113.7' })).status).toBe(429);
    const anonymousB = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '203.0.113.8' });
    expect(anonymousB.status).toBe(200);
    expect(anonymousB.rateLimit).toMatchObject({ remaining: 59 });
    // Nor does an exhausted address touch the users behind it.
    const ownerAgain = await send(server.url, RateLimitViewerDocument, {}, { token: owner.accessToken });
    expect(ownerAgain.rateLimit!.remaining).toBe(83);
  });

  it('takes the address the trusted proxy appended: addresses a client puts in X-Forwarded-For buy it no fresh budget', async () => {
    // As behind nginx ($proxy_add_x_forwarded_for) or a cloud load balancer: whatever the client
    // sent, then the address the proxy saw.
    await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '198.51.100.20' });
    await leave('ip:198.51.100.20', 1, 60);
    const spoofs = ['10.0.0.1', '10.0.0.2', '10.0.0.3, 192.0.2.9'];
    const answers = [];
    for (const spoof of spoofs) answers.push(await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: `${spoof}, 198.51.100.20` }));
    expect(answers.map((a) => a.status)).toEqual([200, 429, 429]);
    for (const spoof of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.0.2.9']) expect(await pointsUsed(`ip:${spoof}`)).toBeUndefined();

    // Something that is not an address is charged to the connection's own address, never made a key.
    const before = (await pointsUsed('ip:127.0.0.1')) ?? 0;
    expect((await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: 'garbage-address' })).status).toBe(200);
    expect(await pointsUsed('ip:garbage-address')).toBeUndefined();
    expect(await pointsUsed('ip:127.0.0.1')).toBe(before + 1);
  });

  it('gives an IPv6 client one budget per /64, so rotating through its own addresses does not refill it', async () => {
    const first = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '2001:db8:7:8::1' });
    expect(first.rateLimit).toMatchObject({ remaining: 59 });
    const sameNetwork = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '2001:db8:7:8:abcd:ef01:2345:6789' });
    expect(sameNetwork.rateLimit).toMatchObject({ remaining: 58 });
    expect(await pointsUsed('ip:2001:db8:7:8::/64')).toBe(2);
    const otherNetwork = await send(server.url, RateLimitViewerDocument, {}, { forwardedFor: '2001:db8:7:9::1' });
    expect(otherNetwork.rateLimit).toMatchObject({ remaining: 59 });
  });

  it('with two proxies in front, takes the second address from the right', async () => {
    const twoHops = await startReplica({ ...LIMITS, trustedProxies: 2 });
    await send(twoHops.url, RateLimitViewerDocument, {}, { forwardedFor: '10.1.1.1, 198.51.100.77, 10.20.0.5' });
    expect(await pointsUsed('ip:198.51.100.77')).toBe(1);
    expect(await pointsUsed('ip:10.20.0.5')).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: 'true' }).rateLimit.trustedProxies).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).rateLimit.trustedProxies).toBe(2);
    expect(loadConfig({}).rateLimit.trustedProxies).toBe(0);
    expect(() => loadConfig({ TRUST_PROXY: 'sometimes' })).toThrow(/TRUST_PROXY: must be false, true, or the number of proxies/);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const direct = await startReplica({ ...LIMITS, trustedProxies: 0 });
    const before = (await pointsUsed('ip:127.0.0.1')) ?? 0;
    const answer = await send(direct.url, RateLimitViewerDocument, {}, { forwardedFor: '198.51.100.9' });
    expect(answer.status).toBe(200);
    expect(await pointsUsed('ip:198.51.100.9')).toBeUndefined();
    expect(await pointsUsed('ip:127.0.0.1')).toBe(before + 1);
  });

  it('draws one budget for all API replicas on the database, without overspending under concurrency', async () => {
    const second = await startReplica(LIMITS);
    const account = await signUpAccount(server);
    const token = account.accessToken;
    const key = `user:${rawId(account.userId)}`;

    const a = await send(server.url, RateLimitViewerDocument, {}, { token });
    const b = await send(second.url, RateLimitViewerDocument, {}, { token });
    const c = await send(server.url, RateLimitViewerDocument, {}, { token });
    expect([a, b, c].map((r) => r.rateLimit!.remaining)).toEqual([99, 98, 97]);

    await leave(key, 10);
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(i % 2 === 0 ? server.url : second.url, RateLimitViewerDocument, {}, { token })),
    );
    expect(burst.filter((r) => r.status === 200)).toHaveLength(10);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(20);
    expect(await pointsUsed(key)).toBe(100);
  });

  it('charges a graphql-ws subscription once when it starts, and refuses it when the budget is spent', async () => {
    const account = await signUpAccount(server);
    const key = `user:${rawId(account.userId)}`;
    await send(server.url, RateLimitViewerDocument, {}, { token: account.accessToken });
    const live = connectLive(server.url, account.accessToken);
    try {
      const accepted = live.subscribe(OnAlertCreatedDocument, {});
      await server.waitForSubscribers(1);
      expect(await pointsUsed(key)).toBe(2);

      await leave(key, 0);
      const refused = live.subscribe(OnAlertCreatedDocument, {});
      await expect(refused.waitFor(1, 5_000)).rejects.toThrow(/RATE_LIMITED/);
      expect(refused.errors).toMatchObject([{ message: expect.stringMatching(/rate limit exceeded/i), extensions: { code: 'RATE_LIMITED', cost: 1, remaining: 0 } }]);
      // HTTP-only details (status, headers) stay out of WebSocket messages.
      expect((refused.errors[0] as { extensions: object }).extensions).not.toHaveProperty('http');
      expect(accepted.isComplete()).toBe(false);
      expect(accepted.errors).toEqual([]);
    } finally {
      await live.dispose();
    }
  });

  it('adds no headers, extensions or buckets when limiting is off', async () => {
    const open = await startReplica({ ...LIMITS, points: 0 });
    const account = await signUpAccount(server);
    const answer = await send(open.url, RateLimitViewerDocument, {}, { token: account.accessToken });
    expect(answer.status).toBe(200);
    expect([...answer.headers.keys()].filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
    expect(answer.rateLimit).toBeUndefined();
    expect(await pointsUsed(`user:${rawId(account.userId)}`)).toBeUndefined();
  });

  it('purges buckets whose window ended long ago and keeps live ones', async () => {
    await server.database.sql`
      insert into rate_limit_buckets (key, window_started_at, points_used)
      values ('ip:192.0.2.1', now() - interval '3 hours', 7), ('ip:192.0.2.2', now() - interval '90 minutes', 7)`;
    expect(await purgeExpiredRateLimitBuckets(server.database.db, 3_600, 1)).toBeGreaterThanOrEqual(1);
    expect(await pointsUsed('ip:192.0.2.1')).toBeUndefined();
    expect(await pointsUsed('ip:192.0.2.2')).toBe(7);
  });
});
