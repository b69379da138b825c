import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { sortedSchema } from './schema.ts';

export const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/schema.graphql');

export function printedSchema(): string {
  return `${printSchema(sortedSchema())}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.writeFileSync(schemaFile, printedSchema());
  console.log(`wrote ${path.relative(process.cwd(), schemaFile)}`);
}
