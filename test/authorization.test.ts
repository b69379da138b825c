import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTestMember, createTestApiKey, expectRejectedCredential, logInAs } from './helpers/accounts.ts';
import { signUpAccount, uniqueEmail, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/** The authorization faults the issue lists, each reproduced from outside through the API. */
let server: TestServer;
let owner: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUpAccount(server);
});
afterAll(async () => {
  await server?.stop();
});

type Answer = { status: number; data?: Record<string, Record<string, unknown> | null> | null; errors?: { message: string; extensions?: { code?: string } }[] };

async function post(query: string, variables: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}

const REVOKE = 'mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename ... on Error { code } ... on RevokeApiKeyPayload { apiKey { revokedAt } } } }';
const CREATE_WEBHOOK = 'mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { __typename ... on Error { code } } }';
const CHANGE_ROLE = 'mutation ($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { __typename ... on Error { code } } }';
const REMOVE = 'mutation ($input: RemoveMemberInput!) { removeMember(input: $input) { __typename ... on Error { code } } }';
const webhookInput = { url: 'https://hooks.example.com/vigil', events: ['ALERT_CREATED'] };

describe('API keys', () => {
  it('an admin (or an ADMIN-role key) cannot revoke an OWNER-role key; an owner can', async () => {
    const ownerKey = await createTestApiKey(server, owner.accessToken, { role: 'OWNER' });
    const admin = await addTestMember(server, owner, 'ADMIN');
    const adminKey = await createTestApiKey(server, admin.accessToken, { role: 'ADMIN' });
    for (const token of [admin.accessToken, adminKey.secret]) {
      const refused = await post(REVOKE, { input: { apiKeyId: ownerKey.id } }, token);
      expect(refused.data?.revokeApiKey).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    expect((await post('{ viewer { role } }', {}, ownerKey.secret)).data?.viewer).toEqual({ role: 'OWNER' });
    const revoked = await post(REVOKE, { input: { apiKeyId: ownerKey.id } }, owner.accessToken);
    expect(revoked.data?.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload' });
  });

  it("a key's role is capped by its creator's current role: a demoted creator's ADMIN key cannot create a webhook", async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const key = await createTestApiKey(server, admin.accessToken, { role: 'ADMIN' });
    expect((await post(CREATE_WEBHOOK, { input: webhookInput }, key.secret)).data?.createWebhook).toMatchObject({ __typename: 'CreateWebhookPayload' });
    const demoted = await post(CHANGE_ROLE, { input: { membershipId: admin.membershipId, role: 'VIEWER' } }, owner.accessToken);
    expect(demoted.data?.changeMemberRole).toMatchObject({ __typename: 'ChangeMemberRolePayload' });
    expect((await post(CREATE_WEBHOOK, { input: webhookInput }, key.secret)).data?.createWebhook).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect((await post('{ viewer { role } }', {}, key.secret)).data?.viewer).toEqual({ role: 'VIEWER' });
  });

  it("a removed creator's keys stop working", async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const key = await createTestApiKey(server, admin.accessToken, { role: 'ANALYST' });
    expect((await post('{ viewer { role } }', {}, key.secret)).data?.viewer).toEqual({ role: 'ANALYST' });
    const removed = await post(REMOVE, { input: { membershipId: admin.membershipId } }, owner.accessToken);
    expect(removed.data?.removeMember).toMatchObject({ __typename: 'RemoveMemberPayload' });
    await expectRejectedCredential(server, key.secret);
  });

  it('authentication is one statement the first time, creator check included, and none once known', async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const key = await createTestApiKey(server, admin.accessToken, { role: 'ANALYST' });
    server.queries.length = 0;
    await post('{ __typename }', {}, key.secret); // also stamps last_used_at, in the same statement
    expect(server.queries).toHaveLength(1);
    expect(await statementsOnceKnown(key.secret)).toBe(0);
    server.queries.length = 0;
    await post('{ __typename }', {}, admin.accessToken);
    expect(server.queries.length).toBeLessThanOrEqual(1);
    expect(await statementsOnceKnown(admin.accessToken)).toBe(0);
  });

  /**
   * Statements of a request with a credential the API knows. The setup's own changes (the new
   * membership and key) notify every API process, and on a busy machine that notification can land
   * after the first lookup and drop its entry once: the credential is known again one lookup later.
   */
  async function statementsOnceKnown(credential: string): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      server.queries.length = 0;
      await post('{ __typename }', {}, credential);
      if (server.queries.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    server.queries.length = 0;
    await post('{ __typename }', {}, credential);
    return server.queries.length;
  }
});

const INVITE = 'mutation ($input: InviteMemberInput!) { inviteMember(input: $input) { __typename ... on Error { code } ... on InviteMemberPayload { invitation { id email role } } } }';
const ACCEPT = 'mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename ... on Error { code } ... on AcceptInvitationPayload { membership { role } } } }';
const DECLINE = 'mutation ($input: DeclineInvitationInput!) { declineInvitation(input: $input) { __typename ... on Error { code } } }';
const MY_INVITATIONS = '{ viewer { invitations { nodes { id role organizationName invitedBy { name } } } } }';
const MEMBERS = '{ viewer { organization { members(first: 100) { nodes { user { email } } } } } }';

async function memberEmails(token: string): Promise<string[]> {
  const answer = await post(MEMBERS, {}, token);
  const viewer = answer.data?.viewer as { organization: { members: { nodes: { user: { email: string } }[] } } };
  return viewer.organization.members.nodes.map((node) => node.user.email);
}

describe('members join by invitation', () => {
  it('an invitation adds nobody until the invitee accepts it', async () => {
    const invitee = await signUpAccount(server);
    const invited = await post(INVITE, { input: { email: invitee.email, role: 'ANALYST' } }, owner.accessToken);
    const invitation = (invited.data?.inviteMember as { invitation: { id: string } }).invitation;
    expect(invited.data?.inviteMember).toMatchObject({ __typename: 'InviteMemberPayload', invitation: { email: invitee.email, role: 'ANALYST' } });
    expect(await memberEmails(owner.accessToken)).not.toContain(invitee.email);

    const listed = await post(MY_INVITATIONS, {}, invitee.accessToken);
    expect(listed.data?.viewer).toEqual({ invitations: { nodes: [{ id: invitation.id, role: 'ANALYST', organizationName: `Org of ${owner.email}`, invitedBy: { name: 'Test User' } }] } });

    // Nobody else can accept it, not even someone in the inviting organization.
    const stranger = await signUpAccount(server);
    expect((await post(ACCEPT, { input: { invitationId: invitation.id } }, stranger.accessToken)).data?.acceptInvitation).toMatchObject({ code: 'NOT_FOUND' });
    expect((await post(ACCEPT, { input: { invitationId: invitation.id } }, owner.accessToken)).data?.acceptInvitation).toMatchObject({ code: 'NOT_FOUND' });

    const accepted = await post(ACCEPT, { input: { invitationId: invitation.id } }, invitee.accessToken);
    expect(accepted.data?.acceptInvitation).toEqual({ __typename: 'AcceptInvitationPayload', membership: { role: 'ANALYST' } });
    expect(await memberEmails(owner.accessToken)).toContain(invitee.email);
    await logInAs(server, invitee.email, owner.organizationId);
    expect((await post(MY_INVITATIONS, {}, invitee.accessToken)).data?.viewer).toEqual({ invitations: { nodes: [] } });
  });

  it('a declined invitation adds nobody and is gone', async () => {
    const invitee = await signUpAccount(server);
    const invited = await post(INVITE, { input: { email: invitee.email, role: 'VIEWER' } }, owner.accessToken);
    const { id } = (invited.data?.inviteMember as { invitation: { id: string } }).invitation;
    expect((await post(DECLINE, { input: { invitationId: id } }, invitee.accessToken)).data?.declineInvitation).toMatchObject({ __typename: 'DeclineInvitationPayload' });
    expect((await post(ACCEPT, { input: { invitationId: id } }, invitee.accessToken)).data?.acceptInvitation).toMatchObject({ code: 'NOT_FOUND' });
    expect(await memberEmails(owner.accessToken)).not.toContain(invitee.email);
  });

  it('the answer is the same whether or not the email is registered', async () => {
    const registered = await signUpAccount(server);
    const shape = (answer: Answer) => {
      const payload = answer.data?.inviteMember as { __typename: string; invitation?: { id: string; email: string } };
      return { status: answer.status, errors: answer.errors, typename: payload.__typename, keys: Object.keys(payload.invitation ?? {}) };
    };
    const known = await post(INVITE, { input: { email: registered.email, role: 'VIEWER' } }, owner.accessToken);
    const unknown = await post(INVITE, { input: { email: uniqueEmail('nobody'), role: 'VIEWER' } }, owner.accessToken);
    expect(shape(unknown)).toEqual(shape(known));
    expect(shape(known).typename).toBe('InviteMemberPayload');
  });

  it('only owners invite owners; analysts cannot invite', async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const analyst = await addTestMember(server, owner, 'ANALYST');
    expect((await post(INVITE, { input: { email: uniqueEmail(), role: 'OWNER' } }, admin.accessToken)).data?.inviteMember).toMatchObject({ code: 'FORBIDDEN' });
    expect((await post(INVITE, { input: { email: uniqueEmail(), role: 'VIEWER' } }, analyst.accessToken)).data?.inviteMember).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('sessions', () => {
  it("refresh-token reuse revokes the session's access tokens too", async () => {
    const account = await signUpAccount(server);
    const REFRESH = 'mutation ($input: RefreshSessionInput!) { refreshSession(input: $input) { __typename ... on RefreshSessionPayload { session { accessToken } } } }';
    const rotated = await post(REFRESH, { input: { refreshToken: account.refreshToken } }, undefined);
    const fresh = (rotated.data?.refreshSession as { session: { accessToken: string } }).session.accessToken;
    expect((await post('{ viewer { role } }', {}, fresh)).data?.viewer).toEqual({ role: 'OWNER' });
    // The old refresh token again: someone holds a copy, so the whole session ends.
    expect((await post(REFRESH, { input: { refreshToken: account.refreshToken } }, undefined)).data?.refreshSession).toMatchObject({ __typename: 'InvalidTokenError' });
    await expectRejectedCredential(server, fresh);
    await expectRejectedCredential(server, account.accessToken);
  });
});
