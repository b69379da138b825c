import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import type { Linter } from 'eslint';

/**
 * The schema lint: graphql-eslint's schema rules over the printed SDL (schema/schema.graphql).
 * Every rule runs in full; the only exceptions are the `strict-id-in-types` ones below: types that
 * are values or envelopes rather than objects with an identity (payloads, errors, connection
 * plumbing, statistics; the entries of a brand profile, which an edit replaces section by section,
 * and a verdict's explanation), which by design have no global ID.
 */
export const schemaLintConfig: Linter.Config[] = [
  {
    files: ['**/*.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: 'schema/schema.graphql' } } },
    plugins: { '@graphql-eslint': graphqlPlugin as never },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          DirectiveDefinition: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          OperationDefinition: false,
        },
      ],
      // Lists other than `edges` are allowed: `nodes` beside `edges`, and lists with a documented maximum.
      '@graphql-eslint/relay-edge-types': ['error', { withEdgeSuffix: true, shouldImplementNode: true, listTypeCanWrapOnlyEdgeType: false }],
      '@graphql-eslint/input-name': ['error', { checkInputType: true, caseSensitiveInputType: false, checkQueries: false, checkMutations: true }],
      '@graphql-eslint/no-scalar-result-type-on-mutation': 'error',
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            suffixes: ['Connection', 'Edge', 'Payload', 'Result', 'Error', 'Count', 'Stats'],
            types: [
              ...['FieldIssue', 'MonitorDefinition', 'MonitorExport', 'PageInfo', 'PlanLimits', 'Session', 'SourceHealth', 'StatsPoint', 'Usage', 'Viewer'],
              // Values inside a BrandProfile, and inside an Alert's or a SuppressedFinding's explanation.
              ...['BrandApp', 'BrandHandle', 'BrandPartner', 'BrandPerson', 'BrandPlatform', 'Explanation', 'ExplanationSignal'],
            ],
          },
        },
      ],
    },
  },
];
