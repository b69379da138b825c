import { ERROR_CODES, errorCodes, type ErrorCode } from '../lib/error-codes.ts';
import { nodeTypenames, type NodeTypename } from '../lib/global-id.ts';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidStatusTransitionError,
  InvalidTokenError,
  LastOwnerError,
  MAX_FIELD_ISSUES,
  NotFoundError,
  PlanLimitExceededError,
  ScanCooldownError,
  ValidationError,
  type FieldIssue,
  type PlanLimitName,
} from '../services/errors.ts';
import { builder } from './builder.ts';
import { bounded } from './connection.ts';
import { AlertStatusEnum, PlanEnum } from './enums.ts';
import { encodeGlobalId } from './ids.ts';

/** `extensions.code` of top-level errors and `code` of typed errors: one set of values. */
export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Why something was refused: `code` of every typed error, and `extensions.code` of every top-level error.',
  values: Object.fromEntries(errorCodes.map((code) => [code, { value: code, description: ERROR_CODES[code] }])) as Record<
    ErrorCode,
    { value: ErrorCode; description: string }
  >,
});

function screamingCase(typename: string): string {
  return typename.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The kinds of object that have global IDs; `NotFoundError.resource` says which was asked for. */
export const NodeTypeEnum = builder.enumType('NodeType', {
  description: 'A kind of object with a global ID (a type implementing `Node`).',
  values: Object.fromEntries(
    nodeTypenames.map((typename) => [screamingCase(typename), { value: typename, description: `A \`${typename}\`.` }]),
  ) as Record<string, { value: NodeTypename; description: string }>,
});

/** Every typed error shares this interface, so clients can always select `... on Error { message code }`. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure, returned as data (a member of a mutation’s result union) instead of a top-level error.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'Human-readable explanation, in English; may change between releases.' }),
    code: t.field({ type: ErrorCodeEnum, description: 'Stable machine-readable reason; branch on this, not on `message`.', resolve: (error) => error.code }),
  }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One rejected argument or input field.',
  fields: (t) => ({
    path: t.stringList({
      description: 'Path to the field, starting at the argument name, e.g. `["input", "terms", "0"]`.',
      resolve: (issue) => issue.path.map(String),
    }),
    message: t.exposeString('message', { description: 'What is wrong with it, e.g. `must be at most 200 characters`.' }),
  }),
});

const errorBase = { interfaces: [ErrorInterface] };

builder.objectType(ValidationError, {
  ...errorBase,
  name: 'ValidationError',
  description: 'The input was rejected; nothing was changed.',
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({
      type: [FieldIssueRef],
      description: `Each rejected field, in input order: the first ${MAX_FIELD_ISSUES} when there are more.`,
      ...bounded(MAX_FIELD_ISSUES),
      resolve: (error) => error.issues,
    }),
  }),
});
builder.objectType(NotFoundError, {
  ...errorBase,
  name: 'NotFoundError',
  description: 'No such object in your organization. Objects of other organizations are reported exactly like ones that do not exist.',
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resource: t.field({ type: NodeTypeEnum, description: 'What kind of object was asked for.', resolve: (error) => error.resource }),
    id: t.id({ description: 'The global ID that was asked for.', resolve: (error) => encodeGlobalId(error.resource, error.id) }),
  }),
});

const PlanLimitEnum = builder.enumType('PlanLimit', {
  description: 'A limit a plan sets (see `PlanLimits`).',
  values: {
    MAX_MONITORS: { value: 'maxMonitors', description: 'How many monitors the organization may have.' },
    MIN_INTERVAL_MINUTES: { value: 'minIntervalMinutes', description: 'The shortest scan interval a monitor may use.' },
    SOURCES: { value: 'sources', description: 'Which sources monitors may use.' },
  } satisfies Record<string, { value: PlanLimitName; description: string }>,
});

builder.objectType(PlanLimitExceededError, {
  ...errorBase,
  name: 'PlanLimitExceededError',
  description: "The change exceeds the organization's plan.",
  isTypeOf: (value) => value instanceof PlanLimitExceededError,
  fields: (t) => ({
    plan: t.field({ type: PlanEnum, description: 'The plan whose limit was hit.', resolve: (error) => error.plan }),
    limit: t.field({ type: PlanLimitEnum, description: 'Which limit was hit.', resolve: (error) => error.limit }),
    maximum: t.exposeInt('maximum', {
      description: "The plan's limit: monitors allowed, the shortest interval in minutes, or how many sources the plan offers.",
    }),
    current: t.exposeInt('current', { description: 'The value that hit the limit: monitors existing, minutes asked for, or sources asked for.' }),
  }),
});
builder.objectType(InvalidStatusTransitionError, {
  ...errorBase,
  name: 'InvalidStatusTransitionError',
  description: 'The alert cannot move to that status from its current one.',
  isTypeOf: (value) => value instanceof InvalidStatusTransitionError,
  fields: (t) => ({
    alertId: t.id({ description: 'Global ID of the alert that cannot move.', resolve: (error) => encodeGlobalId('Alert', error.alertId) }),
    from: t.field({ type: AlertStatusEnum, description: 'Its current status.', resolve: (error) => error.from }),
    to: t.field({ type: AlertStatusEnum, description: 'The status asked for.', resolve: (error) => error.to }),
  }),
});
builder.objectType(ScanCooldownError, {
  ...errorBase,
  name: 'ScanCooldownError',
  description: 'The monitor was scanned on request too recently: try again after `retryAfterSeconds`.',
  isTypeOf: (value) => value instanceof ScanCooldownError,
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: 'Seconds until a manual scan of this monitor is accepted again.' }),
  }),
});

const plainErrors: [abstract new (...args: never[]) => DomainError, string, string][] = [
  [ForbiddenError, 'ForbiddenError', 'Your role (or the API key’s) does not allow this action.'],
  [AuthenticationError, 'AuthenticationError', 'The request is not signed in, or its credentials were rejected.'],
  [InvalidCredentialsError, 'InvalidCredentialsError', 'Email or password is incorrect.'],
  [InvalidTokenError, 'InvalidTokenError', 'The token is invalid, expired, reused or revoked.'],
  [ConflictError, 'ConflictError', 'The change conflicts with existing data.'],
  [LastOwnerError, 'LastOwnerError', 'The change would leave the organization without an owner.'],
];
for (const [cls, name, description] of plainErrors) {
  builder.objectType(cls as typeof ForbiddenError, {
    ...errorBase,
    name,
    description,
    isTypeOf: (value) => value instanceof cls,
    fields: () => ({}),
  });
}

/** Errors any signed-in mutation can return. */
export const authErrors = [AuthenticationError, ForbiddenError, ValidationError] as const;

/** The same plus `NotFoundError`, for mutations that address an existing object. */
export const authErrorsWithNotFound = [...authErrors, NotFoundError] as const;

/**
 * The `errors` option of a mutation field: the payload object is returned as is (no wrapper) in a
 * `<Name>Result` union with `types`.
 */
export function resultOf<T extends readonly (new (...args: never[]) => Error)[]>(mutationName: string, types: T) {
  return {
    types: [...types] as unknown as (new (...args: any[]) => Error)[],
    directResult: true as const,
    union: { description: `What \`${mutationName}\` answers: its payload, or one of the typed errors it can raise.` },
  };
}
