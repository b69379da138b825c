import type { CodegenConfig } from '@graphql-codegen/cli';

/** How every output is typed. */
const operationsConfig = {
  enumsAsTypes: true,
  useTypeImports: true,
  avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
  scalars: { DateTime: 'string', NonNegativeInt: 'number', JSON: 'unknown' },
};

// Reads the committed SDL, not a live server, so generation needs no database.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/operations/**/*.graphql', 'bench/operations/**/*.graphql'],
  generates: {
    'src/client/generated/graphql.ts': {
      documents: ['src/client/**/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string', NonNegativeInt: 'number', JSON: 'unknown' },
      },
    },
    // The browser console's operations (src/console). Vite bundles these documents, so they stay typed
    // from the schema to the React components; scripts/console-build.ts generates this output too.
    'src/console/generated/graphql.ts': {
      documents: ['src/console/**/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: operationsConfig,
    },
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // TypeScript enums are not erasable syntax; Node runs our .ts files by stripping types.
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string', NonNegativeInt: 'number', JSON: 'unknown' },
      },
    },
  },
};

export default config;
