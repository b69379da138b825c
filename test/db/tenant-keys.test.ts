import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db.ts';
import postgres from 'postgres';

/**
 * The way past one database (BENCHMARKS.md, "Beyond one machine") is distribution by
 * `organization_id`: there, a unique key is enforced only when it contains the distribution column.
 * Every unique key of a tenant table (one with `organization_id`) starts with it, except the row
 * ids the API hands out (primary key `id`) and the keys a credential is found by before its
 * organization is known.
 */
const ROW_ID_KEYS = /_pkey \(id\)$/;
const CREDENTIAL_LOOKUPS = [
  // An API key is found by its prefix; a refresh token by its hash: both tell the organization.
  'api_keys.api_keys_prefix_key (prefix)',
  'refresh_tokens.refresh_tokens_hash_key (token_hash)',
];

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
beforeAll(async () => {
  database = await createTestDatabase();
  sql = postgres(database.url, { max: 1 });
});
afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

it('every unique key of a tenant table starts with organization_id, row ids aside', async () => {
  const keys = await sql<{ key: string; first: string }[]>`
    select c.relname || '.' || i.relname || ' (' || string_agg(a.attname, ', ' order by k.ordinality) || ')' as key,
      (array_agg(a.attname order by k.ordinality))[1] as first
    from pg_index x
    join pg_class c on c.oid = x.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_class i on i.oid = x.indexrelid
    cross join lateral unnest(x.indkey) with ordinality as k (attnum, ordinality)
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where n.nspname = 'public' and x.indisunique
      and exists (select 1 from pg_attribute o where o.attrelid = c.oid and o.attname = 'organization_id' and not o.attisdropped)
    group by c.relname, i.relname`;
  expect(keys.length).toBeGreaterThan(10);
  const others = keys.filter((k) => k.first !== 'organization_id' && !ROW_ID_KEYS.test(k.key)).map((k) => k.key).sort();
  expect(others).toEqual(CREDENTIAL_LOOKUPS);
});
