/**
 * Expected failures of the domain. Services throw these; the GraphQL layer turns each into a typed
 * member of a mutation's result union (or an error with a stable `extensions.code` on queries).
 * Anything else that is thrown is unexpected and gets masked.
 */
export class DomainError extends Error {
  readonly code: string = 'DOMAIN_ERROR';
}

export interface FieldIssue {
  /** Path of the offending field, starting at the argument name, e.g. `["input", "terms", 0]`. */
  path: (string | number)[];
  message: string;
}

export class ValidationError extends DomainError {
  override readonly code = 'VALIDATION_ERROR';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') || 'Invalid input');
    this.name = 'ValidationError';
    this.issues = issues;
  }
  static single(path: (string | number)[], message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  override readonly code = 'NOT_FOUND';
  readonly resource: string;
  readonly id: string;
  constructor(resource: string, id: string) {
    super(`${resource} ${id} was not found`);
    this.name = 'NotFoundError';
    this.resource = resource;
    this.id = id;
  }
}

export class ForbiddenError extends DomainError {
  override readonly code = 'FORBIDDEN';
  constructor(message = 'Your role does not allow this') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class AuthenticationError extends DomainError {
  override readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Sign in or pass an API key as `Authorization: Bearer …`') {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export class InvalidCredentialsError extends DomainError {
  override readonly code = 'INVALID_CREDENTIALS';
  constructor(message = 'Email or password is incorrect') {
    super(message);
    this.name = 'InvalidCredentialsError';
  }
}

export class InvalidTokenError extends DomainError {
  override readonly code = 'INVALID_TOKEN';
  constructor(message = 'The token is invalid, expired or revoked') {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export class ConflictError extends DomainError {
  override readonly code = 'CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class PlanLimitExceededError extends DomainError {
  override readonly code = 'PLAN_LIMIT_EXCEEDED';
  readonly plan: string;
  readonly limit: string;
  readonly maximum: number;
  readonly current: number;
  constructor(args: { plan: string; limit: string; maximum: number; current: number; message: string }) {
    super(args.message);
    this.name = 'PlanLimitExceededError';
    this.plan = args.plan;
    this.limit = args.limit;
    this.maximum = args.maximum;
    this.current = args.current;
  }
}

export class InvalidStatusTransitionError extends DomainError {
  override readonly code = 'INVALID_STATUS_TRANSITION';
  readonly alertId: string;
  readonly from: string;
  readonly to: string;
  constructor(alertId: string, from: string, to: string) {
    super(`An alert cannot go from ${from} to ${to}`);
    this.name = 'InvalidStatusTransitionError';
    this.alertId = alertId;
    this.from = from;
    this.to = to;
  }
}

export class LastOwnerError extends DomainError {
  override readonly code = 'LAST_OWNER';
  constructor() {
    super('An organization must keep at least one owner');
    this.name = 'LastOwnerError';
  }
}

export class RateLimitedError extends DomainError {
  override readonly code = 'RATE_LIMITED';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message: string) {
    super(message);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
