import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { freeLoopbackPort } from '../helpers/ports.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-embedded-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('embedded PostgreSQL that cannot start', () => {
  it('fails with an error that says why, in PostgreSQL’s own words, not an empty rejection', { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, 'pgdata');
    const first = await startEmbeddedPostgres({ dataDir, port: await freeLoopbackPort() });
    await first.stop();
    fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), '\nvigil_no_such_setting = 1\n');

    const port = await freeLoopbackPort();
    const failure = await startEmbeddedPostgres({ dataDir, port }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`did not start on port ${port}`);
    expect((failure as Error).message).toContain('vigil_no_such_setting');
  });
});
