import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { organizations } from '../../src/db/schema/index.ts';
import type { PlanName } from '../../src/db/schema/enums.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/lib/global-id.ts';
import { upsertAlert, type AlertInput } from '../../src/services/alerts.ts';
import { CreateMonitorDocument, SignUpDocument, type CreateMonitorInput } from '../generated/graphql.ts';
import type { TestServer } from './server.ts';

import { TEST_PASSWORD } from './log-capture.ts';

export const PASSWORD = TEST_PASSWORD;

export interface TestAccount {
  email: string;
  userId: string;
  organizationId: string;
  accessToken: string;
  refreshToken: string;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

/**
 * Signs up through the API: a new user owning a new free organization. Test organizations may use
 * the offline DEMO source (as the demo workspace does) unless `allowsDemoSource: false`.
 */
export async function signUpAccount(
  server: TestServer,
  options: { email?: string; plan?: PlanName; allowsDemoSource?: boolean } = {},
): Promise<TestAccount> {
  const email = options.email ?? uniqueEmail();
  const result = await server.gql(SignUpDocument, {
    input: { email, password: PASSWORD, name: 'Test User', organizationName: `Org of ${email}` },
  });
  if (result.data?.signUp.__typename !== 'SignUpPayload') throw new Error(`sign-up failed: ${JSON.stringify(result)}`);
  const session = result.data.signUp.session;
  const organizationId = rawId(session.organization.id);
  // Plan changes belong to billing, which is not built, and the demo flag to operators: tests set them directly.
  await server.database.db
    .update(organizations)
    .set({ plan: options.plan ?? 'free', allowsDemoSource: options.allowsDemoSource ?? true })
    .where(eq(organizations.id, organizationId));
  return {
    email,
    userId: session.user.id,
    organizationId,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
  };
}

/** The row id inside a global ID (a row id is returned as it is). */
export function rawId(globalOrRaw: string): string {
  return decodeGlobalId(globalOrRaw)?.id ?? globalOrRaw;
}

export function globalId(typename: string, id: string): string {
  return encodeGlobalId(typename, id);
}

export const demoMonitorInput = (overrides: Partial<CreateMonitorInput> = {}): CreateMonitorInput => ({
  name: 'Acme brand',
  kind: 'BRAND',
  terms: ['acme'],
  sources: ['DEMO'],
  frequency: 'DAILY',
  ...overrides,
});

/** Creates a monitor through the API and returns its global ID. */
export async function createMonitor(server: TestServer, token: string, overrides: Partial<CreateMonitorInput> = {}): Promise<string> {
  const result = await server.gql(CreateMonitorDocument, { input: demoMonitorInput(overrides) }, { token });
  if (result.data?.createMonitor.__typename !== 'CreateMonitorPayload') throw new Error(`createMonitor failed: ${JSON.stringify(result)}`);
  return result.data.createMonitor.monitor.id;
}

let alertCounter = 0;

/** Creates (or re-fires) an alert through the service the scanner calls; returns its global ID. */
export async function fireAlert(
  server: TestServer,
  account: Pick<TestAccount, 'organizationId'>,
  monitorGlobalId: string,
  overrides: Partial<AlertInput> = {},
): Promise<{ id: string; outcome: string }> {
  alertCounter += 1;
  const { alert, outcome } = await server.database.db.transaction((tx) =>
    upsertAlert(tx, {
      organizationId: account.organizationId,
      monitorId: rawId(monitorGlobalId),
      fingerprint: `fp-${alertCounter}-${randomBytes(4).toString('hex')}`,
      title: `Suspicious page ${alertCounter}`,
      summary: 'A page imitating the login form',
      url: `https://acme-login-${alertCounter}.example/signin`,
      category: 'phishing',
      severity: 'high',
      confidence: 0.9,
      ...overrides,
    }),
  );
  return { id: encodeGlobalId('Alert', alert.id), outcome };
}
