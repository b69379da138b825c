import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId, nodeTypenames } from '../src/lib/global-id.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('global IDs', () => {
  it('are encoded the same way by the API and by SQL (webhook payloads, digests)', async () => {
    for (const typename of nodeTypenames) {
      const id = randomUUID();
      const [row] = await server.database.sql<{ id: string }[]>`select vigil_global_id(${typename}, ${id}::uuid) as id`;
      expect(row!.id).toBe(encodeGlobalId(typename, id));
    }
  });

  it('decode only what the encoder makes', () => {
    const id = randomUUID();
    expect(decodeGlobalId(encodeGlobalId('Monitor', id))).toEqual({ typename: 'Monitor', id });
    expect(decodeGlobalId(encodeGlobalId('LedgerEntry', 42))).toEqual({ typename: 'LedgerEntry', id: '42' });
    const padded = encodeGlobalId('Monitor', id); // 44 bytes: one '=' of padding
    for (const text of ['', '%%%', padded.replace(/=+$/, ''), ` ${padded}`, Buffer.from(`:${id}`).toString('base64'), Buffer.from('monitor:1').toString('base64'), 'A'.repeat(400)]) {
      expect(decodeGlobalId(text), JSON.stringify(text)).toBeNull();
    }
  });
});
