import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type DocumentNode, type ValidationRule } from 'graphql';
import { describeOperation } from './metrics.ts';
import type { Plugin } from 'graphql-yoga';
import type { GraphqlConfig } from '../config.ts';
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
 * Refuses abusive documents before they execute — too deep, too many aliases or tokens, too
 * expensive — with an error naming the limit (graphql-armor), and optionally refuses introspection.
 * Field suggestions ("did you mean …") are blocked when introspection is, so the schema cannot be
 * reconstructed from error messages either.
 */
export function protectionPlugins(settings: ProtectionSettings): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: settings.maxDepth, ignoreIntrospection: true },
      maxAliases: { n: settings.maxAliases },
      maxTokens: { n: settings.maxTokens },
      costLimit: { maxCost: settings.maxCost, ignoreIntrospection: true },
      maxDirectives: { n: 50 },
      blockFieldSuggestion: { enabled: !settings.isIntrospectionEnabled },
    }) as Plugin,
  ];
  if (!settings.isIntrospectionEnabled) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule as ValidationRule);
      },
    });
  }
  return plugins;
}

/** One log line per GraphQL operation: request id, operation, organization, duration, outcome. */
export function useOperationLog(logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const context = args.contextValue as { requestId?: string; viewer?: { organizationId: string } | null };
      const { name: operation } = describeOperation(args.document as DocumentNode, args.operationName);
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result && Array.isArray(result.errors) ? result.errors.length : 0;
          logger.info(
            {
              requestId: context.requestId,
              operation,
              organizationId: context.viewer?.organizationId,
              durationMs: Math.round((performance.now() - started) * 100) / 100,
              errors,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
