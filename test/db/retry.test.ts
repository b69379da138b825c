import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { postgresErrorCode, retrying } from '../../src/db/retry.ts';
import { createTestDatabase } from '../helpers/db.ts';

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const created = await createTestDatabase();
  drop = created.drop;
  database = connectDatabase(created.url, { max: 4 });
  await database.sql`create table counters (id integer primary key, n integer not null)`;
  await database.sql`insert into counters values (1, 0), (2, 0)`;
});
afterAll(async () => {
  await database?.close();
  await drop?.();
});

/** Resolves once `count` callers have arrived. */
function barrier(count: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

describe('retrying(db).transaction', () => {
  it('runs a transaction that lost a deadlock again, so both writers complete', async () => {
    const bothHoldOneRow = barrier(2);
    let retries = 0;
    /** Increments both rows, the first one first; the first attempt waits until the other side holds its first row. */
    const increment = (first: number, second: number) => {
      let attempt = 0;
      return retrying(database.db, { onRetry: (error) => (retries += postgresErrorCode(error) === '40P01' ? 1 : 0) }).transaction(async (tx) => {
        attempt += 1;
        await tx.execute(sql`update counters set n = n + 1 where id = ${first}`);
        if (attempt === 1) await bothHoldOneRow();
        await tx.execute(sql`update counters set n = n + 1 where id = ${second}`);
      });
    };
    await Promise.all([increment(1, 2), increment(2, 1)]);
    expect(retries).toBe(1);
    expect(await database.sql`select id, n from counters order by id`).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await expect(
      retrying(database.db).transaction(async (tx) => {
        attempts += 1;
        await tx.execute(sql`insert into counters values (1, 0)`);
      }),
    ).rejects.toThrow();
    expect(attempts).toBe(1);
  });
});
