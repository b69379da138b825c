import type { ErrorCode } from '../lib/error-codes.ts';
import { encodeGlobalId, type NodeTypename } from '../lib/global-id.ts';
import type { AlertStatus, PlanName } from '../db/schema/enums.ts';

/**
 * Expected failures of the domain. Services throw these; the GraphQL layer turns each into a typed
 * member of a mutation's result union (or an error with a stable `extensions.code` on queries).
 * Anything else that is thrown is unexpected and gets masked.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

export interface FieldIssue {
  /** Path of the offending field, starting at the argument name, e.g. `["input", "terms", 0]`. */
  path: (string | number)[];
  message: string;
}

/** The most field issues one ValidationError reports (an import of 500 monitors could list thousands). */
export const MAX_FIELD_ISSUES = 100;

export class ValidationError extends DomainError {
  override readonly code = 'VALIDATION_ERROR';
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    const kept = issues.slice(0, MAX_FIELD_ISSUES);
    super(kept.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') || 'Invalid input');
    this.name = 'ValidationError';
    this.issues = kept;
  }
  static single(path: (string | number)[], message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  override readonly code = 'NOT_FOUND';
  /** The typename of what was asked for; `id` is its row id (the API shows it as a global ID). */
  readonly resource: NodeTypename;
  readonly id: string;
  constructor(resource: NodeTypename, id: string) {
    super(`${resource} ${encodeGlobalId(resource, id)} was not found`);
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

export type PlanLimitName = 'maxMonitors' | 'minIntervalMinutes' | 'sources';

export class PlanLimitExceededError extends DomainError {
  override readonly code = 'PLAN_LIMIT_EXCEEDED';
  readonly plan: PlanName;
  readonly limit: PlanLimitName;
  readonly maximum: number;
  readonly current: number;
  constructor(args: { plan: PlanName; limit: PlanLimitName; maximum: number; current: number; message: string }) {
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
  readonly from: AlertStatus;
  readonly to: AlertStatus;
  constructor(alertId: string, from: AlertStatus, to: AlertStatus) {
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

/** A manual scan asked for within the cooldown of the previous one (not the API's rate limit). */
export class ScanCooldownError extends DomainError {
  override readonly code = 'SCAN_COOLDOWN';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message: string) {
    super(message);
    this.name = 'ScanCooldownError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
