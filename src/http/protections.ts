import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type DocumentNode, type GraphQLError, type ValidationRule } from 'graphql';
import { maskError } from '../graphql/mask-errors.ts';
import { describeOperation } from './metrics.ts';
import type { Plugin } from 'graphql-yoga';
import type { GraphqlConfig } from '../config.ts';
import type { ErrorCode } from '../lib/error-codes.ts';
import type { Logger } from '../lib/logger.ts';

export type ProtectionSettings = Pick<GraphqlConfig, 'isIntrospectionEnabled' | 'maxDepth' | 'maxAliases' | 'maxTokens' | 'maxCost'>;

export const DEFAULT_PROTECTIONS: ProtectionSettings = {
  isIntrospectionEnabled: true,
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 5_000,
  maxCost: 20_000,
};

/**
 * graphql-armor's refusals are plain errors reading "Syntax Error: … limit …" with no code, which
 * yoga answers with HTTP 200. Each limit tags its own refusal instead: the code says which limit,
 * and `http.spec` gives it the GraphQL-over-HTTP status (400 for `application/graphql-response+json`,
 * 200 for `application/json`), like any other document the server refuses.
 */
function refuseWith(code: ErrorCode) {
  return [
    (_context: unknown, error: GraphQLError) => {
      error.message = error.message.replace(/^Syntax Error: /, '');
      Object.assign(error.extensions, { code, http: { status: 400, spec: true } });
    },
  ];
}

/**
 * Refuses abusive documents before they execute — too deep, too many aliases or tokens, too
 * expensive — with an error naming the limit (graphql-armor), and optionally refuses introspection.
 * Field suggestions ("did you mean …") are blocked when introspection is, so the schema cannot be
 * reconstructed from error messages either.
 */
export function protectionPlugins(settings: ProtectionSettings): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: settings.maxDepth, ignoreIntrospection: true, onReject: refuseWith('QUERY_TOO_DEEP') },
      maxAliases: { n: settings.maxAliases, onReject: refuseWith('TOO_MANY_ALIASES') },
      maxTokens: { n: settings.maxTokens, onReject: refuseWith('TOO_MANY_TOKENS') },
      costLimit: { maxCost: settings.maxCost, ignoreIntrospection: true, onReject: refuseWith('QUERY_TOO_COSTLY') },
      maxDirectives: { n: 50, onReject: refuseWith('TOO_MANY_DIRECTIVES') },
      blockFieldSuggestion: { enabled: !settings.isIntrospectionEnabled },
    }) as Plugin,
  ];
  if (!settings.isIntrospectionEnabled) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(introspectionDisabledRule);
      },
    });
  }
  return plugins;
}

/** graphql-js's rule, with its refusal coded like every other one. */
const introspectionDisabledRule: ValidationRule = (context) =>
  (NoSchemaIntrospectionCustomRule as ValidationRule)(
    new Proxy(context, {
      get(target, property) {
        if (property === 'reportError') {
          return (error: GraphQLError) => {
            Object.assign(error.extensions, { code: 'INTROSPECTION_DISABLED' satisfies ErrorCode });
            target.reportError(error);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
  );

/**
 * One log line per GraphQL operation: request id, operation, organization, duration, outcome (the
 * codes of its errors). A request refused before it ran (bad credentials, a document that does not
 * parse, fit the schema or the limits) gets one line too, at info: client mistakes are not errors.
 */
export function useOperationLog(logger: Logger): Plugin {
  const executed = new WeakSet<Request>();
  return {
    onResultProcess({ request, result, serverContext }) {
      if (executed.has(request) || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const errors = (result as { errors?: readonly GraphQLError[] }).errors ?? [];
      if (errors.length === 0) return;
      const requestId = (serverContext as { requestId?: string }).requestId;
      const codes = [...new Set(errors.map((error) => (maskError(error) as GraphQLError).extensions.code))];
      // Codes only: a message can quote the variables sent (a password, say).
      logger.info({ requestId, codes }, 'graphql request refused');
    },
    onExecute({ args }) {
      const started = performance.now();
      const context = args.contextValue as { requestId?: string; request?: Request; viewer?: { organizationId: string } | null };
      if (context.request) executed.add(context.request);
      const { name: operation } = describeOperation(args.document as DocumentNode, args.operationName);
      return {
        onExecuteDone({ result }) {
          const errorList: readonly GraphQLError[] = 'errors' in result && Array.isArray(result.errors) ? result.errors : [];
          logger.info(
            {
              requestId: context.requestId,
              operation,
              organizationId: context.viewer?.organizationId,
              durationMs: Math.round((performance.now() - started) * 100) / 100,
              errors: errorList.length,
              // Client mistakes are logged here, at info, by code; unexpected errors at error level elsewhere.
              ...(errorList.length > 0 ? { codes: [...new Set(errorList.map((error) => (maskError(error) as GraphQLError).extensions.code))] } : {}),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
