import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { inList, plans, roles, type PlanName, type Role } from './enums.ts';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const organizations = pgTable(
  'organizations',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    plan: text().$type<PlanName>().notNull().default('free'),
    /** Mirrors the newest credit_ledger balance; the CHECK makes overdrawing impossible under concurrency. */
    creditBalance: integer().notNull().default(0),
    /** The organization's own OpenAI key, AES-256-GCM encrypted; never returned by the API. */
    openaiKeyEncrypted: text(),
    /** Domains the organization owns: findings on them are never threats. */
    ownDomains: text().array().notNull().default(sql`'{}'::text[]`),
    /**
     * The offline demo source is for the demo workspace, tests and benchmarks, never offered to
     * regular organizations: only organizations with this flag may add it to a monitor.
     */
    allowsDemoSource: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    check('organizations_plan_check', sql.raw(`plan IN (${inList(plans)})`)),
    check('organizations_credit_balance_check', sql.raw('credit_balance >= 0')),
  ],
);

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Stored lowercased; uniqueness is case-insensitive by construction. */
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email), check('users_email_lower_check', sql.raw('email = lower(email)'))],
);

export const memberships = pgTable(
  'memberships',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text().$type<Role>().notNull(),
    isDigestOptedIn: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('memberships_org_user_key').on(t.organizationId, t.userId),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql.raw(`role IN (${inList(roles)})`)),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    name: text().notNull(),
    /** Public, non-secret part of the key used to find it (`vgl_<prefix>_<secret>`). */
    prefix: text().notNull(),
    /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash is the right tool. */
    secretHash: text().notNull(),
    role: text().$type<Role>().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('api_keys_prefix_key').on(t.prefix),
    index('api_keys_org_created_idx').on(t.organizationId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    check('api_keys_role_check', sql.raw(`role IN (${inList(roles)})`)),
  ],
);

/**
 * One row per refresh token ever issued. Tokens of one login share a family; presenting a token
 * that was already rotated (used) revokes the whole family, since that means it was stolen.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    familyId: uuid().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash), index('refresh_tokens_family_idx').on(t.familyId)],
);

/**
 * An offer to join an organization, made to an email address. It adds nobody until the user with
 * that email accepts it; inviting an address without an account looks exactly like inviting one
 * with an account (the invitation waits for someone to sign up with it). Accepted and declined
 * invitations are deleted: the membership, or nothing, is what remains.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizationId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Stored lowercased, like users.email. */
    email: text().notNull(),
    role: text().$type<Role>().notNull(),
    invitedByUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invitations_org_email_key').on(t.organizationId, t.email),
    index('invitations_email_idx').on(t.email),
    check('invitations_role_check', sql.raw(`role IN (${inList(roles)})`)),
    check('invitations_email_lower_check', sql.raw('email = lower(email)')),
  ],
);
