import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.ts';
import { VIGIL_TAB_QUERY } from '../../src/http/graphiql.ts';

describe('the operations GraphiQL opens with', () => {
  it('are valid against the schema, so each runs as shown', () => {
    const document = parse(VIGIL_TAB_QUERY);
    expect(validate(buildSchema(), document).map((error) => error.message)).toEqual([]);
    const names = document.definitions.map((definition) => ('name' in definition ? definition.name?.value : undefined));
    expect(names).toEqual(['Viewer', 'OpenSevereAlerts', 'NewAlerts']);
  });
});
