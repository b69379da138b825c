import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
import type { ErrorCode } from '../lib/error-codes.ts';
import { DomainError } from '../services/errors.ts';

export const INTERNAL_ERROR_MESSAGE = 'Unexpected error. It has been logged; quote the request id when reporting it.';

/** True for failures we expect and explain; anything else is a bug or an outage and stays private. */
export function isExpectedError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return error instanceof DomainError || error instanceof PothosValidationError;
  if (!error.originalError) return true; // parse and validation errors from graphql-js itself
  return isExpectedError(error.originalError);
}

/**
 * Domain errors keep their message and get `extensions.code`; Pothos' input errors (bad global IDs)
 * become `BAD_USER_INPUT`; everything else is replaced with a generic message.
 */
const INTERNAL: ErrorCode = 'INTERNAL_SERVER_ERROR';
const BAD_USER_INPUT: ErrorCode = 'BAD_USER_INPUT';

export function maskError(error: unknown): Error {
  if (!(error instanceof GraphQLError)) return new GraphQLError(INTERNAL_ERROR_MESSAGE, { extensions: { code: INTERNAL } });
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return original instanceof GraphQLError ? maskError(original) : error;
  const base = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
  if (original instanceof DomainError) {
    const http = original.code === 'UNAUTHENTICATED' ? { status: 401 } : undefined;
    return new GraphQLError(original.message, { ...base, extensions: { code: original.code, ...(http ? { http } : {}) } });
  }
  if (original instanceof PothosValidationError) {
    return new GraphQLError(original.message, { ...base, extensions: { code: BAD_USER_INPUT } });
  }
  return new GraphQLError(INTERNAL_ERROR_MESSAGE, { ...base, extensions: { code: INTERNAL } });
}
