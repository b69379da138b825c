import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogDefinitions, migrationsFolder, readFunctionFiles, runMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase } from '../helpers/db.ts';

/**
 * The newest migration of the last release, i.e. on main before the functions moved to files.
 * Whoever rebases a migration of their own below it moves this along.
 */
const LAST_RELEASED_MIGRATION = '0014_brand_profile_explanations';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function emptyDatabase(): Promise<postgres.Sql & { url: string }> {
  const database = await createTestDatabase({ isEmpty: true });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  cleanups.push(database.drop, () => sql.end());
  return Object.assign(sql, { url: database.url });
}

/** The migrations folder as the last release shipped it. */
function releasedMigrationsFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-released-'));
  cleanups.push(async () => fs.rmSync(folder, { recursive: true, force: true }));
  fs.mkdirSync(path.join(folder, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((entry) => entry.tag === LAST_RELEASED_MIGRATION);
  expect(last).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, last + 1);
  for (const { tag } of journal.entries) fs.copyFileSync(path.join(migrationsFolder, `${tag}.sql`), path.join(folder, `${tag}.sql`));
  fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  return folder;
}

/** What the released code ran at start-up: drizzle's migrator, then graphile-worker's. */
async function migrateAsReleased(sql: postgres.Sql & { url: string }): Promise<void> {
  await migrate(drizzle(sql), { migrationsFolder: releasedMigrationsFolder() });
  await runWorkerMigrations({ connectionString: sql.url, logger: new Logger(() => () => {}) });
}

/** Tables, columns, types, indexes and constraints: everything but functions and triggers. */
async function schemaDefinitions(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ definition: string }[]>`
    select format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) as definition
    from information_schema.columns where table_schema = 'public'
    union all select format('index %s', indexdef) from pg_indexes where schemaname = 'public'
    union all select format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
      from pg_constraint where connamespace = 'public'::regnamespace
    union all select format('type %s %s', t.typname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod))
      from pg_type t join pg_attribute a on a.attrelid = t.typrelid
      where t.typnamespace = 'public'::regnamespace and t.typtype = 'c'
        and not exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c')
    union all select format('sequence %s', sequencename) from pg_sequences where schemaname = 'public'
    order by 1`;
  return rows.map((row) => row.definition);
}

/** Function and trigger names each file defines. */
function definedInFiles(): { name: string; file: string }[] {
  return readFunctionFiles().flatMap((file) => [
    ...[...file.sql.matchAll(/CREATE\s+OR\s+REPLACE\s+FUNCTION\s+(\w+)\s*\(/gi)].map((m) => ({ name: `function ${m[1]}`, file: file.name })),
    ...[...file.sql.matchAll(/CREATE\s+(?:CONSTRAINT\s+)?TRIGGER\s+(\w+)[\s\S]*?\bON\s+(\w+)/gi)].map((m) => ({ name: `trigger ${m[1]} on ${m[2]}`, file: file.name })),
  ]);
}

function catalogNames(definitions: { kind: string; name: string }[]): string[] {
  return definitions.map((d) => `${d.kind} ${d.kind === 'function' ? d.name.replace(/\(.*$/, '') : d.name}`).sort();
}

describe('database functions and triggers live in drizzle/functions', () => {
  it('a fresh database and one upgraded from the last release end with the same functions, triggers and schema', async () => {
    const fresh = await emptyDatabase();
    await runMigrations(fresh.url);

    const upgraded = await emptyDatabase();
    await migrateAsReleased(upgraded);
    // Alerts numbered by the released triggers (one sequence for everyone), one organization's purged.
    const [kept, purged] = await upgraded<{ id: string }[]>`insert into organizations (name) values ('Kept'), ('Purged') returning id`;
    for (const org of [kept!, purged!]) {
      await upgraded`insert into monitors (organization_id, name, kind, terms, sources, frequency, interval_minutes)
        values (${org.id}, 'M', 'brand', '{acme}', '{demo}', 'hourly', 60)`;
      await upgraded`insert into alerts (organization_id, monitor_id, fingerprint, title, category, severity, confidence)
        select ${org.id}, id, 'fp-' || g, 'Released ' || g, 'phishing', 'high', 0.9 from monitors, generate_series(1, 3) g
        where organization_id = ${org.id}`;
    }
    await upgraded.begin(async (tx) => {
      await tx`set local vigil.keep_rollup = 'on'`;
      await tx`delete from alerts where organization_id = ${purged!.id}`;
    });
    const rollupsBefore = await upgraded`select * from alert_rollup_severity order by organization_id, monitor_id, hour, severity`;
    await runMigrations(upgraded.url);

    expect(await catalogDefinitions(upgraded)).toEqual(await catalogDefinitions(fresh));
    expect(await schemaDefinitions(upgraded)).toEqual(await schemaDefinitions(fresh));
    expect(await upgraded`select * from alert_rollup_severity order by organization_id, monitor_id, hour, severity`).toEqual(rollupsBefore);
    // Both organizations continue above every number handed out before, even the purged one.
    expect(await upgraded`select created_seq from alerts order by created_seq`).toEqual([1, 2, 3].map((n) => ({ created_seq: String(n) })));
    for (const org of [kept!, purged!]) {
      const [next] = await upgraded<{ created_seq: string }[]>`
        insert into alerts (organization_id, monitor_id, fingerprint, title, category, severity, confidence)
        select ${org.id}, id, 'after-upgrade', 'After the upgrade', 'phishing', 'high', 0.9 from monitors where organization_id = ${org.id}
        returning created_seq`;
      expect(next!.created_seq).toBe('7');
    }
  });

  it('defines each function and trigger once, and the database runs no other', async () => {
    const defined = definedInFiles();
    const names = defined.map((d) => d.name).sort();
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    const database = await emptyDatabase();
    await runMigrations(database.url);
    expect(catalogNames(await catalogDefinitions(database))).toEqual(names);
    // Migrations after the last release create tables and types, not functions or triggers.
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const newer = journal.entries.slice(journal.entries.findIndex((e) => e.tag === LAST_RELEASED_MIGRATION) + 1);
    for (const { tag } of newer) {
      expect(fs.readFileSync(path.join(migrationsFolder, `${tag}.sql`), 'utf8'), tag).not.toMatch(/CREATE\s+(OR\s+REPLACE\s+)?(CONSTRAINT\s+)?(FUNCTION|TRIGGER)/i);
    }
  });

  it('re-creates nothing on a start with nothing changed, and restores a trigger dropped by hand', async () => {
    const database = await emptyDatabase();
    await runMigrations(database.url);
    const triggers = () => database<{ tgname: string; oid: number }[]>`select tgname, oid from pg_trigger where not tgisinternal order by tgname`;
    const before = await triggers();
    await runMigrations(database.url);
    expect(await triggers()).toEqual(before);

    await database`drop trigger alerts_number on alerts`;
    await runMigrations(database.url);
    expect((await triggers()).map((t) => t.tgname)).toEqual(before.map((t) => t.tgname));
  });
});
