import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  ChangeMemberRoleDocument,
  InviteMemberCheckedDocument,
  LogInCheckedDocument,
  MembersDocument,
  RefreshSessionDocument,
  RemoveMemberDocument,
  ViewerDocument,
} from './generated/graphql.ts';
import { addTestMember, expectRejectedCredential, logInAs, memberRoles } from './helpers/accounts.ts';
import { globalId, PASSWORD, signUpAccount, type TestAccount } from './helpers/fixtures.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function ownMembershipId(token: string, email: string): Promise<string> {
  const result = await server.gql(MembersDocument, {}, { token });
  const membership = result.data?.viewer?.organization.members.nodes.find((m) => m.user.email === email);
  if (!membership) throw new Error(`${email} is not a member: ${JSON.stringify(result)}`);
  return membership.id;
}

describe('inviteMember and acceptInvitation', () => {
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await signUpAccount(server);
  });

  it('invites by email (any letter case); once accepted, the user signs in to the organization with that role', async () => {
    const user = await signUpAccount(server);
    const invited = await server.gql(InviteMemberCheckedDocument, { email: user.email.toUpperCase(), role: 'ANALYST' }, { token: owner.accessToken });
    expect(invited.data?.inviteMember).toMatchObject({ __typename: 'InviteMemberPayload', invitation: { email: user.email, role: 'ANALYST' } });
    expect(await memberRoles(server, owner.accessToken)).toEqual({ [owner.email]: 'OWNER' });
    if (invited.data?.inviteMember.__typename !== 'InviteMemberPayload') throw new Error('not invited');
    const accepted = await server.gql(AcceptInvitationDocument, { invitationId: invited.data.inviteMember.invitation.id }, { token: user.accessToken });
    expect(accepted.data?.acceptInvitation).toMatchObject({
      __typename: 'AcceptInvitationPayload',
      membership: { role: 'ANALYST', user: { id: user.userId, email: user.email } },
    });
    expect(await memberRoles(server, owner.accessToken)).toEqual({ [owner.email]: 'OWNER', [user.email]: 'ANALYST' });

    const inOwnersOrg = await logInAs(server, user.email, owner.organizationId);
    const viewer = await server.gql(ViewerDocument, {}, { token: inOwnersOrg.accessToken });
    expect(viewer.data?.viewer).toMatchObject({ role: 'ANALYST', organization: { id: globalId('Organization', owner.organizationId) } });
    // Without asking for an organization they land in the one they joined first: their own.
    const byDefault = await logInAs(server, user.email);
    const ownViewer = await server.gql(ViewerDocument, {}, { token: byDefault.accessToken });
    expect(ownViewer.data?.viewer).toMatchObject({ role: 'OWNER', organization: { id: globalId('Organization', user.organizationId) } });
  });

  it('rejects something that is not an email with a ValidationError on `email`, inviting nobody', async () => {
    const result = await server.gql(InviteMemberCheckedDocument, { email: 'not an email', role: 'VIEWER' }, { token: owner.accessToken });
    expect(result.data?.inviteMember).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_ERROR', issues: [{ path: ['input', 'email'] }] });
  });

  it('an email nobody signed up with is invited like any other (the answer does not tell)', async () => {
    const result = await server.gql(InviteMemberCheckedDocument, { email: 'nobody-here@example.com', role: 'VIEWER' }, { token: owner.accessToken });
    expect(result.data?.inviteMember).toMatchObject({ __typename: 'InviteMemberPayload', invitation: { email: 'nobody-here@example.com' } });
    expect(Object.keys(await memberRoles(server, owner.accessToken))).not.toContain('nobody-here@example.com');
  });

  it('answers ConflictError when someone already in the organization accepts, keeping their role', async () => {
    const member = await addTestMember(server, owner, 'ANALYST');
    const again = await server.gql(InviteMemberCheckedDocument, { email: member.email, role: 'VIEWER' }, { token: owner.accessToken });
    if (again.data?.inviteMember.__typename !== 'InviteMemberPayload') throw new Error(JSON.stringify(again));
    const accepted = await server.gql(AcceptInvitationDocument, { invitationId: again.data.inviteMember.invitation.id }, { token: member.accessToken });
    expect(accepted.data?.acceptInvitation).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect((await memberRoles(server, owner.accessToken))[member.email]).toBe('ANALYST');
  });
});

describe('changeMemberRole and removeMember', () => {
  let owner: TestAccount;
  beforeAll(async () => {
    owner = await signUpAccount(server);
  });

  it('a new role applies to the member’s very next request, with the token they already hold', async () => {
    const member = await addTestMember(server, owner, 'ANALYST');
    const changed = await server.gql(ChangeMemberRoleDocument, { id: member.membershipId, role: 'VIEWER' }, { token: owner.accessToken });
    expect(changed.data?.changeMemberRole).toMatchObject({ __typename: 'ChangeMemberRolePayload', membership: { id: member.membershipId, role: 'VIEWER' } });
    const viewer = await server.gql(ViewerDocument, {}, { token: member.accessToken });
    expect(viewer.data?.viewer?.role).toBe('VIEWER');
    expect((await memberRoles(server, owner.accessToken))[member.email]).toBe('VIEWER');
  });

  it('a removed member loses access at once: access token, refresh token and log-in', async () => {
    const member = await addTestMember(server, owner, 'ADMIN');
    const removed = await server.gql(RemoveMemberDocument, { id: member.membershipId }, { token: owner.accessToken });
    expect(removed.data?.removeMember).toEqual({ __typename: 'RemoveMemberPayload', removedMembershipId: member.membershipId });
    expect(await memberRoles(server, owner.accessToken)).not.toHaveProperty(member.email);

    await expectRejectedCredential(server, member.accessToken);
    const refreshed = await server.gql(RefreshSessionDocument, { refreshToken: member.refreshToken });
    expect(refreshed.data?.refreshSession).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    const logIn = await server.gql(LogInCheckedDocument, { input: { email: member.email, password: PASSWORD, organizationId: globalId('Organization', owner.organizationId) } });
    expect(logIn.data?.logIn.__typename).toBe('InvalidCredentialsError');
    // Their own organization is unaffected.
    expect((await logInAs(server, member.email)).accessToken).toBeTruthy();
  });

  it('never leaves an organization without an owner', async () => {
    const solo = await signUpAccount(server);
    const id = await ownMembershipId(solo.accessToken, solo.email);
    for (const role of ['ADMIN', 'VIEWER'] as const) {
      const demoted = await server.gql(ChangeMemberRoleDocument, { id, role }, { token: solo.accessToken });
      expect(demoted.data?.changeMemberRole).toMatchObject({ __typename: 'LastOwnerError', code: 'LAST_OWNER' });
    }
    const removed = await server.gql(RemoveMemberDocument, { id }, { token: solo.accessToken });
    expect(removed.data?.removeMember).toMatchObject({ __typename: 'LastOwnerError' });
    expect(await memberRoles(server, solo.accessToken)).toEqual({ [solo.email]: 'OWNER' });

    // With a second owner, stepping down is allowed.
    const coOwner = await addTestMember(server, solo, 'OWNER');
    const steppedDown = await server.gql(ChangeMemberRoleDocument, { id, role: 'ADMIN' }, { token: solo.accessToken });
    expect(steppedDown.data?.changeMemberRole).toMatchObject({ __typename: 'ChangeMemberRolePayload', membership: { role: 'ADMIN' } });
    expect(await memberRoles(server, coOwner.accessToken)).toEqual({ [solo.email]: 'ADMIN', [coOwner.email]: 'OWNER' });
  });

  it('two owners demoting each other at once leave exactly one owner, the other told why', async () => {
    const first = await signUpAccount(server);
    const second = await addTestMember(server, first, 'OWNER');
    const firstId = await ownMembershipId(first.accessToken, first.email);
    // Hold the organization's membership rows so both requests are queued before either runs.
    const outcomes = await server.database.sql.begin(async (sql) => {
      await sql`select id from memberships where organization_id = ${first.organizationId} for update`;
      const requests = Promise.all([
        server.gql(ChangeMemberRoleDocument, { id: second.membershipId, role: 'ADMIN' }, { token: first.accessToken }),
        server.gql(ChangeMemberRoleDocument, { id: firstId, role: 'ADMIN' }, { token: second.accessToken }),
      ]);
      // pg_stat_activity is snapshotted once per transaction; clear it so each poll sees the present.
      const waiting = async () => {
        await sql`select pg_stat_clear_snapshot()`;
        return (await sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)[0]!.n;
      };
      await expect.poll(waiting, { timeout: 10_000 }).toBe(2);
      return [requests];
    }).then(([requests]) => requests!);
    expect(outcomes.map((o) => o.data?.changeMemberRole.__typename).sort()).toEqual(['ChangeMemberRolePayload', 'LastOwnerError']);
    const roles = Object.values(await memberRoles(server, first.accessToken));
    expect(roles.sort()).toEqual(['ADMIN', 'OWNER']);
  });

  it('only owners manage owners: an admin can neither grant, change nor remove the owner role', async () => {
    const admin = await addTestMember(server, owner, 'ADMIN');
    const viewer = await addTestMember(server, owner, 'VIEWER');
    const outsider = await signUpAccount(server);
    const ownerId = await ownMembershipId(owner.accessToken, owner.email);
    const before = await memberRoles(server, owner.accessToken);

    const attempts = [
      server.gql(InviteMemberCheckedDocument, { email: outsider.email, role: 'OWNER' }, { token: admin.accessToken }),
      server.gql(ChangeMemberRoleDocument, { id: viewer.membershipId, role: 'OWNER' }, { token: admin.accessToken }),
      server.gql(ChangeMemberRoleDocument, { id: admin.membershipId, role: 'OWNER' }, { token: admin.accessToken }),
      server.gql(ChangeMemberRoleDocument, { id: ownerId, role: 'ADMIN' }, { token: admin.accessToken }),
      server.gql(RemoveMemberDocument, { id: ownerId }, { token: admin.accessToken }),
    ];
    for (const result of await Promise.all(attempts)) {
      const outcome = result.data && Object.values(result.data)[0];
      expect(outcome).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    expect(await memberRoles(server, owner.accessToken)).toEqual(before);
  });

  it('memberships of another organization are NotFound', async () => {
    const member = await addTestMember(server, owner, 'VIEWER');
    const outsider = await signUpAccount(server);
    const changed = await server.gql(ChangeMemberRoleDocument, { id: member.membershipId, role: 'ADMIN' }, { token: outsider.accessToken });
    expect(changed.data?.changeMemberRole).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const removed = await server.gql(RemoveMemberDocument, { id: member.membershipId }, { token: outsider.accessToken });
    expect(removed.data?.removeMember).toMatchObject({ __typename: 'NotFoundError' });
    expect((await memberRoles(server, owner.accessToken))[member.email]).toBe('VIEWER');
  });
});
