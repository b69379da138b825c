import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidStatusTransitionError,
  InvalidTokenError,
  LastOwnerError,
  NotFoundError,
  PlanLimitExceededError,
  ValidationError,
  type FieldIssue,
} from '../services/errors.ts';
import { builder } from './builder.ts';

/** Every typed error shares this interface, so clients can always select `... on Error { message code }`. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure, returned as data instead of a top-level error.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'Human-readable explanation.' }),
    code: t.exposeString('code', { description: 'Stable machine-readable code, e.g. `VALIDATION_ERROR`.' }),
  }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One invalid input field.',
  fields: (t) => ({
    path: t.stringList({
      description: 'Path to the field, starting at the argument name, e.g. `["input", "terms", "0"]`.',
      resolve: (issue) => issue.path.map(String),
    }),
    message: t.exposeString('message'),
  }),
});

const errorBase = { interfaces: [ErrorInterface] };

builder.objectType(ValidationError, {
  ...errorBase,
  name: 'ValidationError',
  description: 'The input was rejected; nothing was changed.',
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], resolve: (error) => error.issues }) }),
});
builder.objectType(NotFoundError, {
  ...errorBase,
  name: 'NotFoundError',
  description: 'No such object in your organization.',
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({ resource: t.exposeString('resource'), id: t.exposeString('id') }),
});
builder.objectType(PlanLimitExceededError, {
  ...errorBase,
  name: 'PlanLimitExceededError',
  description: "The change exceeds the organization's plan.",
  isTypeOf: (value) => value instanceof PlanLimitExceededError,
  fields: (t) => ({
    plan: t.exposeString('plan'),
    limit: t.exposeString('limit', { description: 'Which limit: `maxMonitors`, `minIntervalMinutes` or `sources`.' }),
    maximum: t.exposeInt('maximum', { description: "The plan's limit (for `minIntervalMinutes`, the floor)." }),
    current: t.exposeInt('current', { description: 'The value that hit the limit.' }),
  }),
});
builder.objectType(InvalidStatusTransitionError, {
  ...errorBase,
  name: 'InvalidStatusTransitionError',
  description: 'The alert cannot move to that status from its current one.',
  isTypeOf: (value) => value instanceof InvalidStatusTransitionError,
  fields: (t) => ({
    alertId: t.id({ resolve: (error) => encodeGlobalID('Alert', error.alertId) }),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
  }),
});

const plainErrors: [abstract new (...args: never[]) => DomainError, string, string][] = [
  [ForbiddenError, 'ForbiddenError', 'Your role does not allow this action.'],
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
