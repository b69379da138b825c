import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/lib/global-id.ts';
import { webhookBody } from '../src/services/webhook-delivery.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('global IDs', () => {
  it('are made by one encoder: no database function encodes them', async () => {
    const encoders = await server.database.sql<{ name: string }[]>`
      select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and (p.prosrc ilike '%base64%' or p.proname ilike '%global_id%')`;
    expect(encoders.map((row) => row.name)).toEqual([]);
  });

  it('in a webhook body: row ids stored by the triggers are given as global IDs; global IDs pass unchanged', () => {
    const [alert, monitor, scan] = [randomUUID(), randomUUID(), randomUUID()];
    const createdAt = new Date('2026-12-06T00:00:00.000Z');
    const sent = (payload: unknown) => JSON.parse(webhookBody({ event: 'alert.created', payload, createdAt })).data;
    expect(sent({ alert: { id: alert, title: 'T' }, monitor: { id: monitor, name: 'M' } })).toEqual({
      alert: { id: encodeGlobalId('Alert', alert), title: 'T' },
      monitor: { id: encodeGlobalId('Monitor', monitor), name: 'M' },
    });
    expect(sent({ scan: { id: scan }, monitor: { id: monitor } })).toEqual({ scan: { id: encodeGlobalId('Scan', scan) }, monitor: { id: encodeGlobalId('Monitor', monitor) } });
    // A delivery queued before the triggers stored row ids, and payloads built in TypeScript (digest, test).
    const encoded = { alert: { id: encodeGlobalId('Alert', alert) }, webhook: { id: encodeGlobalId('Webhook', scan) } };
    expect(sent(encoded)).toEqual(encoded);
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
