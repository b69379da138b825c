import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { ValidationError, type FieldIssue } from '../services/errors.ts';

/**
 * Text PostgreSQL cannot store — a NUL character, or a lone UTF-16 surrogate (invalid Unicode) —
 * is refused in every argument of every field before its resolver runs, so it never reaches a SQL
 * statement (where it failed as an internal error whose log held the statement's parameters). One
 * check for all free text (names, filter text, notes, silence comments, …) instead of one per field.
 *
 * It runs inside the errors plugin, so on a mutation the refusal is the typed `ValidationError` of its
 * result union, naming each offending field; on a query it is a `VALIDATION_ERROR` error.
 */
export function findUnstorableText(value: unknown, path: (string | number)[], issues: FieldIssue[]): FieldIssue[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) issues.push({ path, message: 'must not contain NUL (\\u0000) characters' });
    else if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) issues.push({ path, message: 'is not valid Unicode text' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => findUnstorableText(item, [...path, index], issues));
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) findUnstorableText(item, [...path, key], issues);
  }
  return issues;
}

function checkArguments(args: object): void {
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(args)) findUnstorableText(value, [name], issues);
  if (issues.length > 0) throw new ValidationError(issues);
}

export class TextInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    return (parent, args, context, info) => {
      checkArguments(args);
      return resolver(parent, args, context, info);
    };
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!subscribe || Object.keys(fieldConfig.args).length === 0) return subscribe;
    return (parent, args, context, info) => {
      checkArguments(args);
      return subscribe(parent, args, context, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      textInput: TextInputPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin('textInput', TextInputPlugin);
