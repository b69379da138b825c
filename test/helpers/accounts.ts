import { expect } from 'vitest';
import {
  AcceptInvitationDocument,
  CreateApiKeyDocument,
  InviteMemberDocument,
  LogInDocument,
  MembersDocument,
  ViewerDocument,
  type CreateApiKeyInput,
  type Role,
} from '../generated/graphql.ts';
import { globalId, PASSWORD, signUpAccount, type TestAccount } from './fixtures.ts';
import type { TestServer } from './server.ts';

export interface Session {
  accessToken: string;
  refreshToken: string;
}

/** Logs in through the API, into `organizationId` (a row id) when given; fails the test when it does not succeed. */
export async function logInAs(server: TestServer, email: string, organizationId?: string): Promise<Session> {
  const input = { email, password: PASSWORD, organizationId: organizationId ? globalId('Organization', organizationId) : undefined };
  const result = await server.gql(LogInDocument, { input });
  if (result.data?.logIn.__typename !== 'LogInPayload') throw new Error(`logIn failed: ${JSON.stringify(result)}`);
  return { accessToken: result.data.logIn.session.accessToken, refreshToken: result.data.logIn.session.refreshToken };
}

export interface TestMember extends Session {
  email: string;
  userId: string;
  /** Global ID of the membership in the organization the member was added to. */
  membershipId: string;
}

/**
 * Signs up a new user (who gets an organization of their own), has `owner` invite them to the
 * owner's organization with `role`, has them accept, then logs them in to that organization.
 */
export async function addTestMember(server: TestServer, owner: Pick<TestAccount, 'accessToken' | 'organizationId'>, role: Role): Promise<TestMember> {
  const user = await signUpAccount(server);
  const membershipId = await inviteAndAccept(server, owner.accessToken, user, role);
  const session = await logInAs(server, user.email, owner.organizationId);
  return { email: user.email, userId: user.userId, membershipId, ...session };
}

/** `inviterToken` invites `user`, who accepts; returns the new membership's global ID. */
export async function inviteAndAccept(server: TestServer, inviterToken: string, user: Pick<TestAccount, 'email' | 'accessToken'>, role: Role): Promise<string> {
  const invited = await server.gql(InviteMemberDocument, { email: user.email, role }, { token: inviterToken });
  if (invited.data?.inviteMember.__typename !== 'InviteMemberPayload') throw new Error(`inviteMember failed: ${JSON.stringify(invited)}`);
  const accepted = await server.gql(AcceptInvitationDocument, { invitationId: invited.data.inviteMember.invitation.id }, { token: user.accessToken });
  if (accepted.data?.acceptInvitation.__typename !== 'AcceptInvitationPayload') throw new Error(`acceptInvitation failed: ${JSON.stringify(accepted)}`);
  return accepted.data.acceptInvitation.membership.id;
}

/** Creates an API key through the API; returns its global ID and the secret. */
export async function createTestApiKey(
  server: TestServer,
  token: string,
  input: Partial<CreateApiKeyInput> & { role: Role },
): Promise<{ id: string; secret: string }> {
  const result = await server.gql(CreateApiKeyDocument, { input: { name: `${input.role} key`, ...input } }, { token });
  if (result.data?.createApiKey.__typename !== 'CreateApiKeyPayload') throw new Error(`createApiKey failed: ${JSON.stringify(result)}`);
  return { id: result.data.createApiKey.apiKey.id, secret: result.data.createApiKey.secret };
}

/** The organization's members as `email → role`, read by `token`. */
export async function memberRoles(server: TestServer, token: string): Promise<Record<string, Role>> {
  const result = await server.gql(MembersDocument, {}, { token });
  const members = result.data?.viewer?.organization.members;
  if (!members) throw new Error(`members query failed: ${JSON.stringify(result)}`);
  return Object.fromEntries(members.nodes.map((m) => [m.user.email, m.role]));
}

/** Asserts the credential is refused outright: HTTP 401, `UNAUTHENTICATED`, no data. */
export async function expectRejectedCredential(server: TestServer, token: string): Promise<void> {
  const result = await server.gql(ViewerDocument, {}, { token });
  expect(result.status).toBe(401);
  expect(result.data ?? null).toBeNull();
  expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
}
