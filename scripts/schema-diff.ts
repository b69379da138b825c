/**
 * Prints what changed between the baseline schema (schema/baseline.graphql: the API as last
 * released) and the current one (schema/schema.graphql), as @graphql-inspector/core classifies it:
 * breaking, dangerous, safe.
 *
 *   npm run schema:diff                     # report
 *   npm run schema:diff -- --fail-on-breaking   # and exit 1 if anything breaks clients
 *
 * A breaking change is a deliberate act: list it in CHANGELOG.md with its replacement. Once a
 * release is out, move the baseline to it: `cp schema/schema.graphql schema/baseline.graphql`, in
 * the commit that tags the release.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = (file: string) => buildSchema(readFileSync(path.join(root, file), 'utf8'));

export async function schemaChanges(): Promise<Change[]> {
  return diff(load('schema/baseline.graphql'), load('schema/schema.graphql'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const changes = await schemaChanges();
  const sections: [CriticalityLevel, string][] = [
    [CriticalityLevel.Breaking, 'Breaking'],
    [CriticalityLevel.Dangerous, 'Dangerous'],
    [CriticalityLevel.NonBreaking, 'Safe'],
  ];
  console.log(`schema/baseline.graphql → schema/schema.graphql: ${changes.length} change(s)`);
  for (const [level, title] of sections) {
    const ofLevel = changes.filter((change) => change.criticality.level === level);
    console.log(`\n${title} (${ofLevel.length})`);
    for (const change of ofLevel) console.log(`  - ${change.message}`);
  }
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking).length;
  if (breaking > 0 && process.argv.includes('--fail-on-breaking')) process.exit(1);
}
