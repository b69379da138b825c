import postgres from 'postgres';
import { hashPassword } from '../../src/auth/passwords.ts';
import { generateApiKey } from '../../src/auth/tokens.ts';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { upsertAlerts } from '../../src/services/alerts.ts';
import { insertAlerts, insertMonitors } from '../lib/seed.ts';
import { dropDatabase, freshDatabase } from '../live/database.ts';
import type { SoakConfig } from './config.ts';

export interface SoakOrganization {
  id: string;
  monitorIds: string[];
  /** Analyst key: the HTTP load (reads and mutations) authenticates with it. */
  loadApiKey: string;
  /** Viewer key: every subscriber of this organization authenticates with it. */
  subscriberApiKey: string;
  /** Alerts the status mutations toggle between NEW and ACKNOWLEDGED, with their status now. */
  toggleAlerts: { id: string; status: 'new' | 'acknowledged' }[];
}

/** Creates the run's own database and migrates it; `drop` removes it (forcing out any connection left). */
export async function createSoakDatabase(adminUrl: string, name: string): Promise<{ url: string; version: string; drop(): Promise<void> }> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  let version: string;
  try {
    const [row] = await admin<{ server_version: string }[]>`show server_version`;
    version = row!.server_version;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = await freshDatabase(adminUrl, name);
  return { url, version, drop: () => dropDatabase(adminUrl, name) };
}

/** Alerts per organization the status mutations take turns on. */
const TOGGLE_POOL = 200;

/**
 * Organizations with an owner, two API keys, monitors and a history of alerts. Rows are generated
 * in SQL and go through the schema's own triggers (sequence numbers, rollups), as the read
 * benchmark's seed does; the alerts are spread over the last 30 days.
 */
export async function seedOrganizations(url: string, config: SoakConfig): Promise<SoakOrganization[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const passwordHash = await hashPassword('soak-benchmark-password');
  const spacingSeconds = Math.max(1, Math.floor((30 * 86_400) / config.alertsPerOrganization));
  try {
    const organizations: SoakOrganization[] = [];
    for (let index = 1; index <= config.organizations; index++) {
      const load = generateApiKey();
      const subscriber = generateApiKey();
      const organization = await sql.begin(async (tx) => {
        const [org] = await tx<{ id: string }[]>`insert into organizations (name, plan, allows_demo_source) values (${`Soak organization ${index}`}, 'business', true) returning id`;
        const organizationId = org!.id;
        const [user] = await tx<{ id: string }[]>`
          insert into users (email, name, password_hash) values (${`owner-${index}@soak.example`}, ${`Soak owner ${index}`}, ${passwordHash}) returning id`;
        await tx`insert into memberships (organization_id, user_id, role) values (${organizationId}, ${user!.id}, 'owner')`;
        await tx`
          insert into api_keys (organization_id, created_by_user_id, name, prefix, secret_hash, role) values
            (${organizationId}, ${user!.id}, 'soak load', ${load.prefix}, ${load.hash}, 'analyst'),
            (${organizationId}, ${user!.id}, 'soak subscribers', ${subscriber.prefix}, ${subscriber.hash}, 'viewer')`;
        const monitorIds = await insertMonitors(tx, organizationId, config.monitorsPerOrganization, 'Soak monitor');
        await insertAlerts(tx, organizationId, { alertCount: config.alertsPerOrganization, spacingSeconds, offsetSeconds: 0, fingerprintPrefix: 'seed-' });
        const toggles = await tx<{ id: string; status: 'new' | 'acknowledged' }[]>`
          select id, status from alerts
          where organization_id = ${organizationId} and status in ('new', 'acknowledged')
          order by created_at desc limit ${TOGGLE_POOL}`;
        return { id: organizationId, monitorIds, toggleAlerts: toggles.map((t) => ({ id: t.id, status: t.status })) };
      });
      organizations.push({ ...organization, loadApiKey: load.key, subscriberApiKey: subscriber.key });
    }
    // Fresh statistics and hint bits, so the first measured reads neither replan nor write.
    await sql`vacuum (analyze)`;
    return organizations;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface CreatedAlert {
  organizationIndex: number;
  alertId: string;
  /** Whether it counts in the measurement (false: warm-up alerts written to prove every subscription live). */
  isMeasured: boolean;
}

/**
 * Creates alerts the way the scanner does — `upsertAlerts` in a transaction, on a connection of
 * its own, not through the API — so they reach subscribers through NOTIFY and the API's LISTEN.
 */
export class ScannerWriter {
  private readonly database: Database;
  private counter = 0;

  constructor(url: string) {
    this.database = connectDatabase(url, { max: 1, applicationName: 'vigil-soak-scanner' });
  }

  /** One new alert in `organization`, on its monitors in turn; resolves once committed. */
  async create(organization: SoakOrganization, marker: string): Promise<string> {
    const n = ++this.counter;
    const monitorId = organization.monitorIds[n % organization.monitorIds.length]!;
    const [outcome] = await this.database.db.transaction((tx) =>
      upsertAlerts(tx, organization.id, monitorId, [
        {
          organizationId: organization.id,
          monitorId,
          fingerprint: `soak-${marker}`,
          title: `Soak ${marker}: look-alike domain acme-soak-${n}.example`,
          summary: 'A newly registered domain copies the brand sign-in form.',
          url: `https://acme-soak-${n}.example/login`,
          source: 'demo',
          category: 'phishing',
          severity: (['low', 'medium', 'high', 'critical'] as const)[n % 4]!,
          confidence: 0.9,
        },
      ]),
    );
    if (outcome?.outcome !== 'created') throw new Error(`upsertAlerts did not create alert ${marker} (${outcome?.outcome})`);
    return outcome.alert.id;
  }

  end(): Promise<void> {
    return this.database.close();
  }
}
