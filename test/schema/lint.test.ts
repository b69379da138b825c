import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { schemaLintConfig } from './lint-config.ts';

describe('schema lint (graphql-eslint schema rules over schema/schema.graphql)', () => {
  it('reports nothing', async () => {
    const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: schemaLintConfig });
    const [result] = await eslint.lintFiles(['schema/schema.graphql']);
    const problems = result!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId ?? 'parse'}: ${m.message}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
