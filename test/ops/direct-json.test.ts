import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitConfig } from '../../src/http/rate-limit.ts';
import { signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * A POST of one JSON operation is answered on a direct path over yoga's envelop (src/http/direct-json.ts);
 * everything else by yoga's whole HTTP pipeline. A client must not be able to tell them apart:
 * each request below is sent twice — once as the direct path takes it, once with an `Accept` that
 * means the same to yoga but that the direct path leaves to yoga — and the answers must be the same.
 */
const LIMITS: RateLimitConfig = { points: 10_000, windowSeconds: 3_600, anonymousPoints: 1_000, trustedProxies: 0 };

let server: TestServer;
let account: TestAccount;

beforeAll(async () => {
  server = await startTestServer({ rateLimit: LIMITS });
  account = await signUpAccount(server);
});
afterAll(async () => {
  await server?.stop();
});

/** The same media type to yoga (it drops an explicit utf-8 charset); not one the direct path takes. */
const YOGA_ACCEPT: Record<string, string> = {
  'application/json': 'application/json; charset=utf-8',
  'application/graphql-response+json': 'application/graphql-response+json; charset=utf-8',
};

interface Answer {
  status: number;
  contentType: string | null;
  rateLimitHeaders: Record<string, string>;
  body: unknown;
}

async function post(body: unknown, accept: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const rateLimitHeaders: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name.startsWith('x-ratelimit-') || name === 'retry-after') rateLimitHeaders[name] = value;
  return { status: response.status, contentType: response.headers.get('content-type'), rateLimitHeaders, body: JSON.parse(await response.text()) };
}

/** What differs between two requests by nature: the budget left and when the window ends. */
function comparable(answer: Answer) {
  const body = structuredClone(answer.body) as { extensions?: { rateLimit?: Record<string, unknown> } };
  if (body.extensions?.rateLimit) body.extensions.rateLimit = { cost: body.extensions.rateLimit.cost, limit: body.extensions.rateLimit.limit };
  const { 'x-ratelimit-remaining': remaining, 'x-ratelimit-used': used, 'x-ratelimit-reset': reset, ...headers } = answer.rateLimitHeaders;
  return { status: answer.status, contentType: answer.contentType, rateLimitHeaders: { ...headers, hasBudget: [remaining, used, reset].every((value) => value !== undefined) }, body };
}

async function directCount(outcome: 'answered' | 'handed_over'): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^vigil_graphql_direct_requests_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

const auth = () => ({ authorization: `Bearer ${account.accessToken}` });

interface Case {
  name: string;
  body: unknown;
  headers?: () => Record<string, string>;
  /** Whether the direct path answers it itself (else it hands it to yoga). */
  isAnswered: boolean;
  /** What the client sees, checked beside the equality. */
  expected: { status: number; code?: string };
}

const cases: Case[] = [
  { name: 'a query', body: { query: '{ viewer { role organization { name } } }' }, headers: auth, isAnswered: true, expected: { status: 200 } },
  {
    name: 'a query with variables and an operation name',
    body: { query: 'query Page($first: Int!) { alerts(first: $first) { nodes { id title } pageInfo { hasNextPage } } }', variables: { first: 5 }, operationName: 'Page' },
    headers: auth,
    isAnswered: true,
    expected: { status: 200 },
  },
  { name: 'a typed error from a mutation', body: { query: 'mutation { pauseMonitor(input: { monitorId: "TW9uaXRvcjox" }) { __typename ... on Error { message code } } }' }, headers: auth, isAnswered: true, expected: { status: 200 } },
  { name: 'a bad global id', body: { query: '{ node(id: "%%%") { id } }' }, headers: auth, isAnswered: true, expected: { status: 200, code: 'VALIDATION_ERROR' } },
  { name: 'a variable of the wrong type', body: { query: 'query ($first: Int!) { alerts(first: $first) { pageInfo { hasNextPage } } }', variables: { first: 'abc' } }, headers: auth, isAnswered: true, expected: { status: 200, code: 'BAD_USER_INPUT' } },
  { name: 'no credentials', body: { query: '{ alerts(first: 1) { nodes { id } } }' }, isAnswered: true, expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'a bad API key', body: { query: '{ viewer { role } }' }, headers: () => ({ authorization: 'Bearer vgl_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), isAnswered: false, expected: { status: 401, code: 'UNAUTHENTICATED' } },
  { name: 'a syntax error', body: { query: '{ viewer { ' }, headers: auth, isAnswered: false, expected: { status: 200, code: 'GRAPHQL_PARSE_FAILED' } },
  { name: 'an unknown field', body: { query: '{ viewr { role } }' }, headers: auth, isAnswered: false, expected: { status: 200, code: 'GRAPHQL_VALIDATION_FAILED' } },
  { name: 'an unknown parameter', body: { query: '{ viewer { role } }', extra: 1 }, headers: auth, isAnswered: false, expected: { status: 400 } },
  { name: 'a batch', body: [{ query: '{ viewer { role } }' }], headers: auth, isAnswered: false, expected: { status: 400 } },
  { name: 'a body that is not JSON', body: '{ "query": ', headers: auth, isAnswered: false, expected: { status: 400, code: 'BAD_REQUEST' } },
];

describe('the direct JSON path answers exactly as yoga does', () => {
  it.each(cases)('$name', async (testCase) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const answeredBefore = await directCount('answered');
      const handedBefore = await directCount('handed_over');
      const direct = await post(testCase.body, accept, testCase.headers?.());
      expect(await directCount('answered')).toBe(answeredBefore + (testCase.isAnswered ? 1 : 0));
      expect(await directCount('handed_over')).toBe(handedBefore + (testCase.isAnswered ? 0 : 1));

      const viaYoga = await post(testCase.body, YOGA_ACCEPT[accept]!, testCase.headers?.());
      expect(await directCount('answered')).toBe(answeredBefore + (testCase.isAnswered ? 1 : 0));
      expect(comparable(direct)).toEqual(comparable(viaYoga));

      if (accept === 'application/json') expect(direct.status).toBe(testCase.expected.status);
      const codes = ((direct.body as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((error) => error.extensions?.code);
      if (testCase.expected.code) expect(codes).toContain(testCase.expected.code);
    }
  });

  it('charges the rate limit and reports it in headers and extensions on the direct path too', async () => {
    const answer = await post({ query: '{ viewer { role } }' }, 'application/json', auth());
    expect(answer.status).toBe(200);
    expect(answer.rateLimitHeaders['x-ratelimit-limit']).toBe(String(LIMITS.points));
    expect(Number(answer.rateLimitHeaders['x-ratelimit-remaining'])).toBeLessThan(LIMITS.points);
    expect((answer.body as { extensions?: { rateLimit?: { limit: number } } }).extensions?.rateLimit?.limit).toBe(LIMITS.points);
  });

  it('leaves cross-origin requests to yoga, which answers CORS', async () => {
    const before = await directCount('answered');
    const answer = await post({ query: '{ viewer { role } }' }, 'application/json', { ...auth(), origin: 'https://elsewhere.example' });
    expect(answer.status).toBe(200);
    expect(await directCount('answered')).toBe(before);
  });
});
