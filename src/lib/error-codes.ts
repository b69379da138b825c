/**
 * Every code a refusal can carry, in typed errors (`code` of the `Error` interface) and in
 * `extensions.code` of top-level errors alike. The GraphQL `ErrorCode` enum is built from this list,
 * so a code used anywhere in the server is a value of that enum (the type below makes sure of it).
 * Adding a code is not a breaking change; removing or renaming one is.
 */
export const ERROR_CODES = {
  // Expected failures of an operation (typed errors in result unions, or top-level on queries).
  VALIDATION_ERROR: 'An argument or input field was rejected; `issues` name each one. Nothing was changed.',
  NOT_FOUND: 'No such object in your organization (or none at all: the two are not told apart).',
  UNAUTHENTICATED: 'No credentials, or credentials that were rejected (HTTP 401 at the top level).',
  FORBIDDEN: 'The caller is signed in, but its role does not allow this.',
  INVALID_CREDENTIALS: 'Email or password is incorrect.',
  INVALID_TOKEN: 'A refresh token is unknown, expired, already used or revoked.',
  CONFLICT: 'The change conflicts with existing data (an email or URL already used, a rule that exists).',
  PLAN_LIMIT_EXCEEDED: "The change goes beyond what the organization's plan allows.",
  INVALID_STATUS_TRANSITION: 'An alert cannot move from its current status to the one asked for.',
  LAST_OWNER: 'The change would leave the organization without an owner.',
  SCAN_COOLDOWN: 'The monitor was scanned on request too recently; retry after the cooldown.',
  // Refusals of the request as a whole (top-level errors only).
  RATE_LIMITED: "The caller's rate-limit budget cannot cover this operation (HTTP 429).",
  BAD_USER_INPUT: 'A variable or argument value does not fit its type (an Int given "abc", an unknown enum value).',
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not fit the schema (an unknown field, a missing argument).',
  QUERY_TOO_DEEP: 'The document nests fields deeper than the server allows.',
  TOO_MANY_ALIASES: 'The document uses more aliases than the server allows.',
  TOO_MANY_TOKENS: 'The document is longer, in tokens, than the server allows.',
  TOO_MANY_DIRECTIVES: 'The document uses more directives than the server allows.',
  QUERY_TOO_COSTLY: 'The document could return more than the server allows in one request.',
  INTROSPECTION_DISABLED: 'This server does not answer introspection queries.',
  PERSISTED_QUERY_NOT_FOUND: "The persisted operation id is not in this server's manifest.",
  PERSISTED_QUERY_ONLY: 'This server runs persisted operations only: send an id, not a document.',
  PERSISTED_QUERY_ID_REQUIRED: 'The request has neither a document nor a persisted operation id.',
  BAD_REQUEST: 'The HTTP request is malformed (for instance its JSON body does not parse).',
  METHOD_NOT_ALLOWED: 'The HTTP method cannot be used here (mutations need POST).',
  LENGTH_REQUIRED: 'A POST request must carry a Content-Length header.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the server accepts.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body is not in a media type the server reads (use application/json).',
  NOT_ACCEPTABLE: 'None of the media types the request accepts can be answered with.',
  REQUEST_HEADER_FIELDS_TOO_LARGE: 'The request headers are larger than the server accepts.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure, logged with the request id; quote it when reporting.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
