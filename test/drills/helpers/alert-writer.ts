/**
 * A child process that creates alerts through the scanner's service, one transaction at a time,
 * until SIGTERM, printing `ok <alert id>` or `fail <message>` per attempt. It runs apart from the
 * test so that what the database driver does when the server disappears (postgres.js 3.4.9 can
 * throw from a timer, or leave a connection that never writes again) ends this process, which the
 * drill then restarts and counts, instead of the test runner.
 *
 *   DATABASE_URL=… ORGANIZATION_ID=… MONITOR_ID=… node test/drills/helpers/alert-writer.ts
 */
import { randomBytes } from 'node:crypto';
import { connectDatabase } from '../../../src/db/client.ts';
import { upsertAlert } from '../../../src/services/alerts.ts';

const { DATABASE_URL, ORGANIZATION_ID, MONITOR_ID, WRITER_LABEL = 'w' } = process.env;
if (!DATABASE_URL || !ORGANIZATION_ID || !MONITOR_ID) throw new Error('DATABASE_URL, ORGANIZATION_ID and MONITOR_ID are required');

/** A write that takes this long is stuck on a dead connection: exit and let the drill start a new writer. */
const STUCK_MS = 8_000;

const database = connectDatabase(DATABASE_URL, { max: 1, applicationName: 'drill-writer' });
let isStopping = false;
process.on('SIGTERM', () => (isStopping = true));

for (let n = 0; !isStopping; n += 1) {
  const stuck = setTimeout(() => {
    console.log('stuck');
    process.exit(3);
  }, STUCK_MS);
  try {
    const { alert } = await database.db.transaction((tx) =>
      upsertAlert(tx, {
        organizationId: ORGANIZATION_ID,
        monitorId: MONITOR_ID,
        fingerprint: `drill-${WRITER_LABEL}-${n}-${randomBytes(4).toString('hex')}`,
        title: `steady ${WRITER_LABEL}-${n}`,
        summary: 'A page imitating the login form',
        category: 'phishing',
        severity: n % 3 === 0 ? 'critical' : 'high',
        confidence: 0.9,
      }),
    );
    console.log(`ok ${alert.id}`);
  } catch (error) {
    console.log(`fail ${String((error as Error).message).replaceAll('\n', ' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    clearTimeout(stuck);
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await database.close();
process.exit(0);
