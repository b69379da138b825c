import type http from 'node:http';
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import ipaddr from 'ipaddr.js';
import type { RateLimitConfig } from '../config.ts';
import type { DbOrTx } from '../db/client.ts';
import type { ErrorCode } from '../lib/error-codes.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/pagination.ts';
import { chargeRateLimit, type RateLimitState } from '../services/rate-limits.ts';
import type { Viewer } from '../services/viewer.ts';

export type { RateLimitConfig };

/**
 * What an operation costs before it runs, in the spirit of GitHub's GraphQL limits:
 *
 *   cost = base + ⌈items / 10⌉
 *
 * `base` is 1 for a query or subscription and 5 for a mutation (writes cost more than reads).
 * `items` adds up, for every connection field (one taking `first`/`last`), the most items it can
 * return: its page size (`first` or `last`, from literals or variables; 20 when absent, at most
 * 100) times the page sizes of the lists it is nested in. So `alerts(first: 5)` costs 2,
 * `alerts(first: 50)` costs 6, and `monitors(first: 10) { … scans(first: 10) }` costs
 * 1 + ⌈(10 + 100) / 10⌉ = 12. Lists that are not connections declare their maximum
 * (`extensions.maxItems`, see `bounded()` in src/graphql/connection.ts): a list of objects with an
 * identity (`Node`s, each a row that nested fields load from) is charged that maximum, so
 * `webhooks` (at most 20) costs 1 + 2; a list of values its parent's statement computes whole
 * (counts, series points, field issues) adds nothing itself, but what is nested in it is multiplied
 * by its maximum like anything nested in a connection. Page sizes multiply through nesting the way
 * graphql-armor's `costLimit` multiplies them (that one caps a document's shape; this one is spent
 * from a budget). Fields under `@skip`/`@include` are counted as if included.
 */
const OPERATION_BASE_COST = { query: 1, mutation: 5, subscription: 1 } as const;
const ITEMS_PER_POINT = 10;

function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return OPERATION_BASE_COST.query;
  const values: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] === undefined && definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const root = schema.getRootType(operation.operation);
  const items = root ? countItems({ schema, fragments, variables: values }, operation.selectionSet, root, 1, new Set()) : 0;
  return OPERATION_BASE_COST[operation.operation] + Math.ceil(items / ITEMS_PER_POINT);
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function countItems(walk: Walk, selectionSet: SelectionSetNode, parentType: GraphQLNamedType, multiplier: number, spreading: Set<string>): number {
  let items = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.selectionSet) continue;
      const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
      if (!field) continue;
      let inner = multiplier;
      const itemType = getNamedType(field.type);
      const maxItems = field.extensions.maxItems;
      if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
        inner = multiplier * pageSize(selection, walk.variables);
        items += inner;
      } else if (typeof maxItems === 'number') {
        inner = multiplier * maxItems;
        if (isObjectType(itemType) && itemType.getInterfaces().some((i) => i.name === 'Node')) items += inner;
      }
      items += countItems(walk, selection.selectionSet, itemType, inner, spreading);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parentType;
      items += countItems(walk, selection.selectionSet, type ?? parentType, multiplier, spreading);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      // Validation refuses fragment cycles; the guard only keeps this walk finite if it ever ran first.
      if (!fragment || spreading.has(name)) continue;
      const type = walk.schema.getType(fragment.typeCondition.name.value) ?? parentType;
      items += countItems(walk, fragment.selectionSet, type, multiplier, new Set(spreading).add(name));
    }
  }
  return items;
}

function pageSize(field: FieldNode, variables: Record<string, unknown>): number {
  let size: number | undefined;
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    const value = valueFromASTUntyped(arg.value, variables);
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, value);
  }
  return Math.min(MAX_PAGE_SIZE, Math.max(0, Math.trunc(size ?? DEFAULT_PAGE_SIZE)));
}

/**
 * Whether every root field the operation selects needs a signed-in caller (Pothos `authScopes`), so
 * an anonymous caller is refused with UNAUTHENTICATED whatever else it asks. `viewer`, `node`,
 * `signUp`, `logIn`, `refreshSession` and `logOut` are open, and an operation using one is charged.
 */
function needsCredentials(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return false;
  const fields = root.getFields();
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const rootFieldNames = (selectionSet: SelectionSetNode, seen: Set<string>): string[] =>
    selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection.name.value];
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return [];
      return rootFieldNames(fragment.selectionSet, new Set(seen).add(fragment.name.value));
    });
  const names = rootFieldNames(operation.selectionSet, new Set()).filter((name) => name !== '__typename');
  return names.length > 0 && names.every((name) => Boolean((fields[name]?.extensions.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes));
}

/** Whose budget pays: the API key, else the user, else (anonymous) the client's network address. */
function callerKey(viewer: Viewer | null | undefined, req: http.IncomingMessage | undefined, trustedProxies: number): string {
  if (viewer?.apiKeyId) return `key:${viewer.apiKeyId}`;
  if (viewer?.userId) return `user:${viewer.userId}`;
  return `ip:${clientNetwork(req, trustedProxies)}`;
}

/**
 * The anonymous caller's budget key: its IPv4 address, or its IPv6 /64 (one subscriber's usual
 * allocation — per /128, anyone could rotate through addresses for fresh budgets).
 *
 * Behind `trustedProxies` proxies of your own, each appends the address it was connected from to
 * `X-Forwarded-For`, so the client is that many entries from the right. Entries further left were
 * sent by the client and prove nothing; taking the leftmost (as before) let anyone pick a fresh
 * budget per request. A value that is not an IP address falls back to the socket's address.
 */
function clientNetwork(req: http.IncomingMessage | undefined, trustedProxies: number): string {
  const socketAddress = req?.socket.remoteAddress;
  let address: string | undefined;
  if (trustedProxies > 0) {
    const header = req?.headers['x-forwarded-for'];
    const chain = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim()).filter(Boolean);
    if (chain.length > 0) address = chain[Math.max(0, chain.length - trustedProxies)];
  }
  return networkOf(address) ?? networkOf(socketAddress) ?? 'unknown';
}

function networkOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return address;
  if (!ipaddr.IPv6.isValid(address)) return undefined;
  const parsed = ipaddr.IPv6.parse(address);
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; one client, one budget.
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`).toString()}/64`;
}

/** What `extensions.rateLimit` carries on every charged result. */
function rateLimitSummary(state: RateLimitState) {
  return { cost: state.cost, limit: state.limit, remaining: state.remaining, resetAt: state.resetAt.toISOString() };
}

function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Used': String(state.used),
    'X-RateLimit-Reset': String(Math.ceil(state.resetAt.getTime() / 1000)),
    'X-RateLimit-Resource': 'graphql',
  };
  if (!state.isAllowed) headers['Retry-After'] = String(secondsUntil(state.resetAt));
  return headers;
}

function secondsUntil(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));
}

function refusal(state: RateLimitState, isHttp: boolean): ExecutionResult {
  const message =
    state.cost > state.limit
      ? `This operation costs ${state.cost} points, more than the whole budget of ${state.limit} per window: ask for smaller pages.`
      : `Rate limit exceeded: this operation costs ${state.cost} points and ${state.remaining} of ${state.limit} remain until ${state.resetAt.toISOString()}.`;
  const error = new GraphQLError(message, {
    extensions: { code: 'RATE_LIMITED' satisfies ErrorCode, ...rateLimitSummary(state), ...(isHttp ? { http: { status: 429 } } : {}) },
  });
  return { errors: [error], extensions: { rateLimit: rateLimitSummary(state) } };
}

interface RateLimitedContext {
  viewer?: Viewer | null;
  /** The Node request (HTTP, or the WebSocket upgrade): where the client's address comes from. */
  req?: http.IncomingMessage;
  /** The Fetch request yoga answers; absent for operations over graphql-ws. */
  request?: Request;
}

/**
 * Charges every operation its cost (see `operationCost`) against its caller's budget before it runs,
 * and refuses it — HTTP 429, `RATE_LIMITED`, `Retry-After` — when the budget cannot cover it.
 * Subscriptions pay once, when they start. Results carry `extensions.rateLimit`; HTTP responses carry
 * `X-RateLimit-*` headers. Requests refused earlier (bad credentials, invalid documents) cost nothing.
 */
export type RateLimitPlugin = Plugin & {
  /** The `X-RateLimit-*` headers for a request that was charged (for responses written outside yoga). */
  responseHeaders(request: object): Record<string, string> | undefined;
};

export function useRateLimit(db: DbOrTx, config: RateLimitConfig): RateLimitPlugin {
  const charged = new WeakMap<object, RateLimitState>();
  const responseHeaders = (request: object) => {
    const state = charged.get(request);
    return state && rateLimitHeaders(state);
  };

  async function charge(args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null; contextValue: unknown }) {
    const context = args.contextValue as RateLimitedContext;
    const isAnonymous = !context.viewer;
    // Refused for missing credentials before any resolver runs: like bad credentials, free.
    if (isAnonymous && needsCredentials(args.schema, args.document, args.operationName)) return null;
    const state = await chargeRateLimit(db, {
      key: callerKey(context.viewer, context.req, config.trustedProxies),
      cost: operationCost(args.schema, args.document, args.operationName, args.variableValues),
      limit: isAnonymous ? config.anonymousPoints : config.points,
      windowSeconds: config.windowSeconds,
    });
    const isHttp = typeof context.request?.headers?.get === 'function';
    if (isHttp) charged.set(context.request!, state);
    return { state, isHttp };
  }

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const charged = await charge(args);
      if (!charged) return;
      const { state, isHttp } = charged;
      if (!state.isAllowed) return setResultAndStopExecution(refusal(state, isHttp));
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return; // incremental delivery: the headers say it
          setResult({ ...result, extensions: { ...result.extensions, rateLimit: rateLimitSummary(state) } });
        },
      };
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const charged = await charge(args);
      if (charged && !charged.state.isAllowed) setResultAndStopExecution(refusal(charged.state, charged.isHttp));
    },
    onResponse({ request, response }) {
      for (const [name, value] of Object.entries(responseHeaders(request) ?? {})) response.headers.set(name, value);
    },
    responseHeaders,
  };
}
