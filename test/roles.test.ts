import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InviteMemberDocument,
  AddAlertNoteDocument,
  AlertDetailDocument,
  AlertsDocument,
  ApiKeysDocument,
  ChangeMemberRoleDocument,
  CreateApiKeyDocument,
  CreateMonitorDocument,
  DeleteMonitorDocument,
  MembersDocument,
  MonitorDocument,
  MonitorsDocument,
  PauseMonitorDocument,
  RemoveMemberDocument,
  RevokeApiKeyDocument,
  UpdateAlertStatusDocument,
  UpdateMonitorDocument,
  ViewerDocument,
  type Role,
} from './generated/graphql.ts';
import { addTestMember, createTestApiKey, inviteAndAccept, memberRoles } from './helpers/accounts.ts';
import { createMonitor, demoMonitorInput, fireAlert, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let owner: TestAccount;
let sharedMonitorId: string;
let sharedAlertId: string;

const RANK: Record<Role, number> = { VIEWER: 1, ANALYST: 2, ADMIN: 3, OWNER: 4 };

interface Principal {
  label: string;
  /** null: anonymous. */
  role: Role | null;
  isApiKey: boolean;
  token?: string;
}

const principals: Principal[] = [
  { label: 'owner', role: 'OWNER', isApiKey: false },
  { label: 'admin', role: 'ADMIN', isApiKey: false },
  { label: 'analyst', role: 'ANALYST', isApiKey: false },
  { label: 'viewer', role: 'VIEWER', isApiKey: false },
  { label: 'admin API key', role: 'ADMIN', isApiKey: true },
  { label: 'analyst API key', role: 'ANALYST', isApiKey: true },
  { label: 'viewer API key', role: 'VIEWER', isApiKey: true },
  { label: 'anonymous caller', role: null, isApiKey: false },
];

beforeAll(async () => {
  server = await startTestServer();
  // Business plan, so every case can create its own monitor without hitting the monitor limit.
  owner = await signUpAccount(server, { plan: 'business' });
  for (const principal of principals) {
    if (principal.role === 'OWNER' && !principal.isApiKey) principal.token = owner.accessToken;
    else if (principal.role && principal.isApiKey) {
      principal.token = (await createTestApiKey(server, owner.accessToken, { role: principal.role })).secret;
    } else if (principal.role) principal.token = (await addTestMember(server, owner, principal.role)).accessToken;
  }
  sharedMonitorId = await createMonitor(server, owner.accessToken, { name: 'Shared monitor' });
  sharedAlertId = (await fireAlert(server, owner, sharedMonitorId, { title: 'Shared alert' })).id;
});
afterAll(() => server?.stop());

const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;
const asOwner = () => ({ token: owner.accessToken });

/** A mutation tried on a fresh target: `act` returns the union member's typename, `isApplied` reads the outcome as the owner. */
interface Arranged {
  act(token: string | undefined): Promise<string | undefined>;
  isApplied(): Promise<boolean>;
}

async function newMonitor(): Promise<string> {
  return createMonitor(server, owner.accessToken, { name: unique('Target') });
}

async function readMonitor(id: string) {
  return (await server.gql(MonitorDocument, { id }, asOwner())).data?.monitor ?? null;
}

async function readAlert(id: string) {
  const alert = (await server.gql(AlertDetailDocument, { id }, asOwner())).data?.alert;
  if (!alert) throw new Error(`alert ${id} not found`);
  return alert;
}

async function keyById(id: string) {
  return (await server.gql(ApiKeysDocument, {}, asOwner())).data!.apiKeys.nodes.find((k) => k.id === id);
}

/** A user who is a viewer of the owner's organization, without logging them in. */
async function newViewerMember(): Promise<{ email: string; membershipId: string }> {
  const user = await signUpAccount(server);
  const membershipId = await inviteAndAccept(server, asOwner().token, user, 'VIEWER');
  return { email: user.email, membershipId };
}

const mutations: { action: string; minimum: Role; arrange(): Promise<Arranged> }[] = [
  {
    action: 'createMonitor',
    minimum: 'ADMIN',
    arrange: async () => {
      const name = unique('Created');
      return {
        act: async (token) => (await server.gql(CreateMonitorDocument, { input: demoMonitorInput({ name }) }, { token })).data?.createMonitor.__typename,
        isApplied: async () => {
          const found = await server.gql(MonitorsDocument, { first: 5, filter: { text: name } }, asOwner());
          return found.data!.monitors.edges.length === 1;
        },
      };
    },
  },
  {
    action: 'updateMonitor',
    minimum: 'ADMIN',
    arrange: async () => {
      const id = await newMonitor();
      return {
        act: async (token) => (await server.gql(UpdateMonitorDocument, { input: { monitorId: id, name: 'Renamed' } }, { token })).data?.updateMonitor.__typename,
        isApplied: async () => (await readMonitor(id))?.name === 'Renamed',
      };
    },
  },
  {
    action: 'pauseMonitor',
    minimum: 'ADMIN',
    arrange: async () => {
      const id = await newMonitor();
      return {
        act: async (token) => (await server.gql(PauseMonitorDocument, { id }, { token })).data?.pauseMonitor.__typename,
        isApplied: async () => (await readMonitor(id))?.status === 'PAUSED',
      };
    },
  },
  {
    action: 'deleteMonitor',
    minimum: 'ADMIN',
    arrange: async () => {
      const id = await newMonitor();
      return {
        act: async (token) => (await server.gql(DeleteMonitorDocument, { id }, { token })).data?.deleteMonitor.__typename,
        isApplied: async () => (await readMonitor(id)) === null,
      };
    },
  },
  {
    action: 'createApiKey',
    minimum: 'ADMIN',
    arrange: async () => {
      const name = unique('Key');
      return {
        act: async (token) => (await server.gql(CreateApiKeyDocument, { input: { name, role: 'VIEWER' } }, { token })).data?.createApiKey.__typename,
        isApplied: async () => (await server.gql(ApiKeysDocument, {}, asOwner())).data!.apiKeys.nodes.some((k) => k.name === name),
      };
    },
  },
  {
    action: 'revokeApiKey',
    minimum: 'ADMIN',
    arrange: async () => {
      const { id } = await createTestApiKey(server, owner.accessToken, { role: 'VIEWER' });
      return {
        act: async (token) => (await server.gql(RevokeApiKeyDocument, { id }, { token })).data?.revokeApiKey.__typename,
        isApplied: async () => (await keyById(id))?.revokedAt != null,
      };
    },
  },
  {
    action: 'inviteMember',
    minimum: 'ADMIN',
    arrange: async () => {
      const user = await signUpAccount(server);
      return {
        act: async (token) => (await server.gql(InviteMemberDocument, { email: user.email, role: 'VIEWER' }, { token })).data?.inviteMember.__typename,
        isApplied: async () => (await server.database.sql`select 1 from invitations where email = ${user.email}`).length > 0,
      };
    },
  },
  {
    action: 'changeMemberRole',
    minimum: 'ADMIN',
    arrange: async () => {
      const member = await newViewerMember();
      return {
        act: async (token) =>
          (await server.gql(ChangeMemberRoleDocument, { id: member.membershipId, role: 'ANALYST' }, { token })).data?.changeMemberRole.__typename,
        isApplied: async () => (await memberRoles(server, owner.accessToken))[member.email] === 'ANALYST',
      };
    },
  },
  {
    action: 'removeMember',
    minimum: 'ADMIN',
    arrange: async () => {
      const member = await newViewerMember();
      return {
        act: async (token) => (await server.gql(RemoveMemberDocument, { id: member.membershipId }, { token })).data?.removeMember.__typename,
        isApplied: async () => !(member.email in (await memberRoles(server, owner.accessToken))),
      };
    },
  },
  {
    action: 'updateAlertStatus',
    minimum: 'ANALYST',
    arrange: async () => {
      const { id } = await fireAlert(server, owner, sharedMonitorId);
      return {
        act: async (token) =>
          (await server.gql(UpdateAlertStatusDocument, { ids: [id], status: 'ACKNOWLEDGED' }, { token })).data?.updateAlertStatus.__typename,
        isApplied: async () => (await readAlert(id)).status === 'ACKNOWLEDGED',
      };
    },
  },
  {
    action: 'addAlertNote',
    minimum: 'ANALYST',
    arrange: async () => {
      const { id } = await fireAlert(server, owner, sharedMonitorId);
      return {
        act: async (token) => (await server.gql(AddAlertNoteDocument, { alertId: id, body: 'Looks real' }, { token })).data?.addAlertNote.__typename,
        isApplied: async () => (await readAlert(id)).notes.nodes.length === 1,
      };
    },
  },
];

const upperFirst = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

function expectedOutcome(principal: Principal, minimum: Role): string {
  if (!principal.role) return 'AuthenticationError';
  return RANK[principal.role] >= RANK[minimum] ? 'Success' : 'ForbiddenError';
}

describe.each(principals)('as $label', (principal) => {
  it.each(mutations)('$action: allowed from $minimum up; otherwise a typed error and nothing changes', async ({ action, minimum, arrange }) => {
    const arranged = await arrange();
    const expected = expectedOutcome(principal, minimum);
    const outcome = await arranged.act(principal.token);
    expect(outcome).toBe(expected === 'Success' ? `${upperFirst(action)}Payload` : expected);
    expect(await arranged.isApplied()).toBe(expected === 'Success');
  });

  it('apiKeys: listed for admins and above; FORBIDDEN or UNAUTHENTICATED below', async () => {
    const result = await server.gql(ApiKeysDocument, {}, { token: principal.token });
    const expected = expectedOutcome(principal, 'ADMIN');
    if (expected === 'Success') {
      expect(result.errors).toBeUndefined();
      expect(result.data?.apiKeys.nodes.length).toBeGreaterThanOrEqual(3);
    } else {
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual([expected === 'ForbiddenError' ? 'FORBIDDEN' : 'UNAUTHENTICATED']);
    }
  });

  it('reads: monitors, alerts, members and viewer for every role; nothing for the anonymous caller', async () => {
    const [monitors, alerts, members, viewer] = await Promise.all([
      server.gql(MonitorsDocument, { first: 100 }, { token: principal.token }),
      server.gql(AlertsDocument, { first: 100 }, { token: principal.token }),
      server.gql(MembersDocument, {}, { token: principal.token }),
      server.gql(ViewerDocument, {}, { token: principal.token }),
    ]);
    if (!principal.role) {
      for (const result of [monitors, alerts]) {
        expect(result.data ?? null).toBeNull();
        expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      }
      expect(viewer.data?.viewer).toBeNull();
      expect(members.data?.viewer).toBeNull();
      return;
    }
    expect(monitors.data?.monitors.edges.map((e) => e.node.id)).toContain(sharedMonitorId);
    expect(alerts.data?.alerts.edges.map((e) => e.node.id)).toContain(sharedAlertId);
    expect(members.data?.viewer?.organization.members.nodes.map((m) => m.user.email)).toContain(owner.email);
    expect(viewer.data?.viewer).toMatchObject({ role: principal.role, isApiKey: principal.isApiKey });
  });
});
