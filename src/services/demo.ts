import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, memberships, monitors, organizations, users } from '../db/schema/index.ts';
import { hashPassword } from '../auth/passwords.ts';
import { generateApiKey } from '../auth/tokens.ts';
import { writeBrandProfile } from './brand-profile.ts';
import { grantMonthlyCredits } from './credits.ts';

export const DEMO_EMAIL = 'demo@vigil.example';

export interface DemoWorkspace {
  isNew: boolean;
  organizationId: string;
  /** Present only when the workspace was just created: the one time the secrets exist in clear. */
  apiKey?: string;
  password?: string;
}

/** The demo organization: its name, own domains, brand profile and monitors (all on the demo source). */
export const DEMO_ORGANIZATION = { name: 'Acme Corp (demo)', ownDomains: ['acme.example'] };
export const DEMO_PROFILE = {
  names: ['Acme Corp', 'Acme'],
  domains: ['acme.example'],
  products: ['Rocket Skates', 'Giant Magnet', 'Acme Cloud'],
  people: [
    { name: 'Ada Quill', role: 'CEO' },
    { name: 'Ravi Marsh', role: 'CISO' },
  ],
  handles: [
    { platform: 'x', handle: '@acmecorp' },
    { platform: 'linkedin', handle: 'acme-corp' },
  ],
  apps: [{ store: 'google_play', name: 'Acme Mobile', id: 'example.acme.mobile' }],
  partners: [{ name: 'Roadrunner Supplies', domain: 'roadrunner-supplies.example' }],
  platforms: [
    { kind: 'hiring' as const, url: 'https://jobs.example.com/acme' },
    { kind: 'status' as const, url: 'https://acme.status.example.net' },
  ],
};
export const DEMO_MONITORS = [
  { name: 'Acme brand', kind: 'brand' as const, terms: ['Acme', 'Acme Corp'], excludeTerms: ['acme.example/careers'] },
  { name: 'acme.example look-alikes', kind: 'domain' as const, terms: ['acme.example'], excludeTerms: [] },
  { name: 'Acme Rocket Skates', kind: 'product' as const, terms: ['Rocket Skates'], excludeTerms: [] },
];

/** Seeds a demo organization whose monitors use the offline demo source. Idempotent. */
export async function seedDemoWorkspace(db: Db): Promise<DemoWorkspace> {
  const [existing] = await db
    .select({ organizationId: memberships.organizationId })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, DEMO_EMAIL));
  if (existing) return { isNew: false, organizationId: existing.organizationId };

  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const key = generateApiKey();
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values({ email: DEMO_EMAIL, name: 'Demo Analyst', passwordHash }).returning();
    const [org] = await tx
      .insert(organizations)
      .values({ ...DEMO_ORGANIZATION, plan: 'business', allowsDemoSource: true })
      .returning();
    await tx.insert(memberships).values({ organizationId: org!.id, userId: user!.id, role: 'owner', isDigestOptedIn: true });
    await grantMonthlyCredits(tx, org!.id);
    await tx.insert(apiKeys).values({
      organizationId: org!.id,
      createdByUserId: user!.id,
      name: 'Demo key',
      prefix: key.prefix,
      secretHash: key.hash,
      role: 'owner',
    });
    await writeBrandProfile(tx, org!.id, DEMO_PROFILE);
    const demoMonitor = { organizationId: org!.id, sources: ['demo' as const], frequency: 'interval' as const, intervalMinutes: 5 };
    await tx.insert(monitors).values(DEMO_MONITORS.map((monitor) => ({ ...demoMonitor, ...monitor })));
    return { isNew: true, organizationId: org!.id, apiKey: key.key, password };
  });
}
