import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/lib/error-codes.ts';
import { nodeTypenames } from '../../src/lib/global-id.ts';
import { buildSchema } from '../../src/graphql/schema.ts';

/*
 * Conventions the lint cannot check (see CHANGELOG.md, "One API surface"): mutation shape, bounded
 * lists, one error-code enum, every entity a Node.
 */
const schema = buildSchema();
const upperFirst = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function objectFields(): [GraphQLObjectType, GraphQLField<unknown, unknown>][] {
  return Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => [type, field] as [GraphQLObjectType, GraphQLField<unknown, unknown>]));
}

describe('schema conventions', () => {
  it('every mutation takes one `input: <Name>Input!` and returns `<Name>Result!`: its `<Name>Payload` or typed errors with a code', () => {
    const problems: string[] = [];
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const name = upperFirst(field.name);
      const [arg, ...more] = field.args;
      if (more.length > 0 || !arg || arg.name !== 'input' || !isNonNullType(arg.type) || getNamedType(arg.type).name !== `${name}Input`) {
        problems.push(`${field.name}: arguments ${field.args.map((a) => `${a.name}: ${a.type}`).join(', ')}`);
      }
      const result = getNullableType(field.type);
      if (!isNonNullType(field.type) || !isUnionType(result) || result.name !== `${name}Result`) {
        problems.push(`${field.name}: returns ${field.type}`);
        continue;
      }
      for (const member of result.getTypes()) {
        const isError = member.getInterfaces().some((i) => i.name === 'Error');
        if (member.name !== `${name}Payload` && !isError) problems.push(`${field.name}: ${member.name} is neither its payload nor an Error`);
      }
      if (!result.getTypes().some((member) => member.name === `${name}Payload`)) problems.push(`${field.name}: no ${name}Payload`);
    }
    expect(problems).toEqual([]);
  });

  it('every list of objects is a connection’s edges/nodes or declares the most items it returns', () => {
    const unbounded = objectFields()
      .filter(([, field]) => isListType(getNullableType(field.type)) && !isEnumType(getNamedType(field.type)) && 'getFields' in getNamedType(field.type))
      .filter(([type, field]) => !(type.name.endsWith('Connection') && ['edges', 'nodes'].includes(field.name)))
      .filter(([, field]) => typeof field.extensions.maxItems !== 'number')
      .map(([type, field]) => `${type.name}.${field.name}`);
    expect(unbounded).toEqual([]);
  });

  it('every connection is named for its node type, with `nodes`', () => {
    const problems: string[] = [];
    for (const [type, field] of objectFields()) {
      const returned = getNamedType(field.type);
      if (!isObjectType(returned) || !returned.name.endsWith('Connection')) continue;
      const node = getNamedType(returned.getFields().edges!.type) as GraphQLObjectType;
      const nodeType = getNamedType(node.getFields().node!.type).name;
      if (returned.name !== `${nodeType}Connection` || node.name !== `${nodeType}Edge`) problems.push(`${type.name}.${field.name}: ${returned.name}`);
      if (!returned.getFields().nodes) problems.push(`${returned.name} has no nodes`);
    }
    expect(problems).toEqual([]);
  });

  it('`ErrorCode` is the one list of codes, and every typed error carries one', () => {
    const enumType = schema.getType('ErrorCode');
    expect(isEnumType(enumType) && enumType.getValues().map((v) => v.name)).toEqual(errorCodes);
    const errorInterface = schema.getType('Error');
    expect(isInterfaceType(errorInterface) && String(errorInterface.getFields().code!.type)).toBe('ErrorCode!');
  });

  it('every type with an ID is a Node, and the `NodeType` enum lists them all', () => {
    const withIds = Object.values(schema.getTypeMap())
      .filter((type): type is GraphQLObjectType => isObjectType(type) && 'id' in type.getFields())
      .filter((type) => !type.getInterfaces().some((i) => i.name === 'Error'));
    expect(withIds.filter((type) => !type.getInterfaces().some((i) => i.name === 'Node')).map((t) => t.name)).toEqual([]);
    expect(withIds.map((type) => type.name).sort()).toEqual([...nodeTypenames].sort());
  });

  it('no input takes a free-form JSON value', () => {
    const jsonInputs = Object.values(schema.getTypeMap())
      .filter(isInputObjectType)
      .flatMap((type) => Object.values(type.getFields()).filter((f) => getNamedType(f.type).name === 'JSON').map((f) => `${type.name}.${f.name}`));
    expect(jsonInputs).toEqual([]);
    expect(schema.getType('JSON')).toBeUndefined();
  });
});
