import { SignJWT } from 'jose';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations, refreshTokens, users } from '../src/db/schema/index.ts';
import {
  LogInCheckedDocument,
  LogOutDocument,
  MembersDocument,
  RefreshSessionDocument,
  SignUpDocument,
  ViewerDocument,
  type SignUpInput,
} from './generated/graphql.ts';
import { expectRejectedCredential, logInAs } from './helpers/accounts.ts';
import { globalId, PASSWORD, rawId, signUpAccount, uniqueEmail } from './helpers/fixtures.ts';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function rowCounts(): Promise<{ users: number; organizations: number }> {
  const [u] = await server.database.db.select({ n: count() }).from(users);
  const [o] = await server.database.db.select({ n: count() }).from(organizations);
  return { users: u!.n, organizations: o!.n };
}

async function refresh(refreshToken: string) {
  const result = await server.gql(RefreshSessionDocument, { refreshToken });
  return result.data!.refreshSession;
}

async function viewerEmail(token: string): Promise<string | undefined> {
  const result = await server.gql(ViewerDocument, {}, { token });
  return result.data?.viewer?.user?.email;
}

describe('signUp', () => {
  it('creates the user, a free organization owned by them, and a working session', async () => {
    const email = uniqueEmail('ana');
    const result = await server.gql(SignUpDocument, {
      input: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: ' Ana ', organizationName: 'Acme' },
    });
    expect(result.data?.signUp.__typename).toBe('SignUpPayload');
    if (result.data?.signUp.__typename !== 'SignUpPayload') return;
    const session = result.data.signUp.session;
    expect(session.user).toMatchObject({ email, name: 'Ana' });
    expect(session.organization).toMatchObject({ name: 'Acme', plan: 'FREE', creditBalance: 1000 });
    expect(session.refreshToken).not.toBe(session.accessToken);

    const viewer = await server.gql(ViewerDocument, {}, { token: session.accessToken });
    expect(viewer.data?.viewer).toMatchObject({ role: 'OWNER', isApiKey: false, user: { email }, organization: { name: 'Acme' } });
    const members = await server.gql(MembersDocument, {}, { token: session.accessToken });
    expect(members.data?.viewer?.organization.members.nodes.map((m) => [m.user.email, m.role])).toEqual([[email, 'OWNER']]);
  });

  it('refuses an email that is already registered, in any letter case, and creates nothing', async () => {
    const existing = await signUpAccount(server);
    const before = await rowCounts();
    const result = await server.gql(SignUpDocument, {
      input: { email: existing.email.toUpperCase(), password: 'another long passphrase', name: 'Mallory', organizationName: 'Evil' },
    });
    expect(result.data?.signUp).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await rowCounts()).toEqual(before);
    // The original owner's password still works: the account was not overwritten.
    expect(await viewerEmail((await logInAs(server, existing.email)).accessToken)).toBe(existing.email);
  });

  const valid: SignUpInput = { email: 'valid@example.com', password: PASSWORD, name: 'Valid', organizationName: 'Valid Org' };
  it.each<[string, Partial<SignUpInput>, string[][]]>([
    ['an empty name', { name: '   ' }, [['input', 'name']]],
    ['an empty organization name', { organizationName: '' }, [['input', 'organizationName']]],
    ['a 9-character password', { password: '123456789' }, [['input', 'password']]],
    ['a 257-character password', { password: 'p'.repeat(257) }, [['input', 'password']]],
    ['an invalid email', { email: 'not-an-email' }, [['input', 'email']]],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com` }, [['input', 'email']]],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, [['input', 'name']]],
    ['an organization name over 200 characters', { organizationName: 'o'.repeat(201) }, [['input', 'organizationName']]],
    ['several bad fields at once', { email: 'nope', name: '' }, [['input', 'email'], ['input', 'name']]],
  ])('rejects %s with a ValidationError naming the field, creating nothing', async (_label, override, paths) => {
    const before = await rowCounts();
    const result = await server.gql(SignUpDocument, { input: { ...valid, email: uniqueEmail(), ...override } });
    const outcome = result.data?.signUp;
    expect(outcome?.__typename).toBe('ValidationError');
    if (outcome?.__typename !== 'ValidationError') return;
    expect(outcome.code).toBe('VALIDATION_ERROR');
    expect(outcome.issues.map((issue) => issue.path)).toEqual(paths);
    expect(outcome.issues.every((issue) => issue.message.length > 0)).toBe(true);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('logIn', () => {
  it('signs in with the right password, whatever the letter case of the email', async () => {
    const account = await signUpAccount(server);
    const result = await server.gql(LogInCheckedDocument, { input: { email: account.email.toUpperCase(), password: PASSWORD } });
    expect(result.data?.logIn.__typename).toBe('LogInPayload');
    if (result.data?.logIn.__typename !== 'LogInPayload') return;
    expect(result.data.logIn.session.user.email).toBe(account.email);
    expect(rawId(result.data.logIn.session.organization.id)).toBe(account.organizationId);
    expect(await viewerEmail(result.data.logIn.session.accessToken)).toBe(account.email);
  });

  it('answers a wrong password and an unknown email with the same InvalidCredentialsError', async () => {
    const account = await signUpAccount(server);
    const wrongPassword = await server.gql(LogInCheckedDocument, { input: { email: account.email, password: `${PASSWORD}!` } });
    const unknownEmail = await server.gql(LogInCheckedDocument, { input: { email: uniqueEmail('ghost'), password: PASSWORD } });
    for (const result of [wrongPassword, unknownEmail]) {
      expect(result.errors).toBeUndefined();
      expect(result.data?.logIn).toEqual({
        __typename: 'InvalidCredentialsError',
        code: 'INVALID_CREDENTIALS',
        message: 'Email or password is incorrect',
      });
    }
  });

  it("refuses to sign in to an organization the user is not a member of", async () => {
    const account = await signUpAccount(server);
    const stranger = await signUpAccount(server);
    const result = await server.gql(LogInCheckedDocument, {
      input: { email: account.email, password: PASSWORD, organizationId: globalId('Organization', stranger.organizationId) },
    });
    expect(result.data?.logIn).toMatchObject({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
  });

  it('takes the organization as a global ID: a malformed one, a raw UUID or another type’s ID is a ValidationError on that field', async () => {
    const account = await signUpAccount(server);
    for (const organizationId of ['acme', account.organizationId, globalId('Monitor', account.organizationId)]) {
      const result = await server.gql(LogInCheckedDocument, { input: { email: account.email, password: PASSWORD, organizationId } });
      expect(result.data?.logIn).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'organizationId'] }] });
    }
    const signedIn = await server.gql(LogInCheckedDocument, {
      input: { email: account.email, password: PASSWORD, organizationId: globalId('Organization', account.organizationId) },
    });
    expect(signedIn.data?.logIn).toMatchObject({ __typename: 'LogInPayload', session: { organization: { id: globalId('Organization', account.organizationId) } } });
  });
});

describe('refresh tokens', () => {
  it('trade a refresh token for a new pair of working tokens', async () => {
    const account = await signUpAccount(server);
    const outcome = await refresh(account.refreshToken);
    expect(outcome.__typename).toBe('RefreshSessionPayload');
    if (outcome.__typename !== 'RefreshSessionPayload') return;
    expect(outcome.session.refreshToken).not.toBe(account.refreshToken);
    expect(outcome.session.user.email).toBe(account.email);
    expect(rawId(outcome.session.organization.id)).toBe(account.organizationId);
    expect(await viewerEmail(outcome.session.accessToken)).toBe(account.email);
    // Access tokens are stateless: the old one lives until it expires.
    expect(await viewerEmail(account.accessToken)).toBe(account.email);
    // And the new refresh token rotates in turn.
    expect((await refresh(outcome.session.refreshToken)).__typename).toBe('RefreshSessionPayload');
  });

  it('are single use', async () => {
    const account = await signUpAccount(server);
    expect((await refresh(account.refreshToken)).__typename).toBe('RefreshSessionPayload');
    expect(await refresh(account.refreshToken)).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
  });

  it('revoke the whole session, newest token included, when a spent token is presented again', async () => {
    const account = await signUpAccount(server);
    const otherSession = await logInAs(server, account.email);
    const second = await refresh(account.refreshToken);
    if (second.__typename !== 'RefreshSessionPayload') throw new Error(second.__typename);
    const third = await refresh(second.session.refreshToken);
    if (third.__typename !== 'RefreshSessionPayload') throw new Error(third.__typename);

    // Someone replays the first token, which the rightful client already rotated away.
    const replay = await refresh(account.refreshToken);
    expect(replay).toMatchObject({ __typename: 'InvalidTokenError', message: expect.stringMatching(/already used/) });
    // The newest token of that family, never used, is now dead too.
    expect(await refresh(third.session.refreshToken)).toMatchObject({ __typename: 'InvalidTokenError' });
    const family = await server.database.db
      .select({ revokedAt: refreshTokens.revokedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.userId, rawId(account.userId)));
    expect(family.filter((t) => t.revokedAt !== null)).toHaveLength(3);
    // A separate login of the same user is a different session and keeps working.
    expect((await refresh(otherSession.refreshToken)).__typename).toBe('RefreshSessionPayload');
  });

  it('stop working after logOut, for that session only', async () => {
    const account = await signUpAccount(server);
    const otherSession = await logInAs(server, account.email);
    const rotated = await refresh(account.refreshToken);
    if (rotated.__typename !== 'RefreshSessionPayload') throw new Error(rotated.__typename);

    const loggedOut = await server.gql(LogOutDocument, { refreshToken: rotated.session.refreshToken });
    expect(loggedOut.data?.logOut).toEqual({ __typename: 'LogOutPayload', isLoggedOut: true });
    expect(await refresh(rotated.session.refreshToken)).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    expect((await refresh(otherSession.refreshToken)).__typename).toBe('RefreshSessionPayload');
    // Logging out with a token nobody issued is not an error: there is nothing to revoke.
    expect((await server.gql(LogOutDocument, { refreshToken: 'never-issued' })).data?.logOut).toEqual({ __typename: 'LogOutPayload', isLoggedOut: true });
  });

  it('are refused when unknown or expired', async () => {
    const account = await signUpAccount(server);
    expect(await refresh('not-a-real-token')).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    await server.database.db
      .update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.userId, rawId(account.userId)));
    expect(await refresh(account.refreshToken)).toMatchObject({
      __typename: 'InvalidTokenError',
      message: 'The refresh token has expired',
    });
  });
});

describe('access tokens', () => {
  it('are rejected with 401 once expired, while a refresh still yields a fresh one', async () => {
    const shortLived = await startTestServer({ accessTokenTtlSeconds: 2 });
    try {
      const account = await signUpAccount(shortLived);
      const before = await shortLived.gql(ViewerDocument, {}, { token: account.accessToken });
      expect(before.data?.viewer?.user?.email).toBe(account.email);

      await new Promise((resolve) => setTimeout(resolve, 2_200));
      await expectRejectedCredential(shortLived, account.accessToken);

      const renewed = await shortLived.gql(RefreshSessionDocument, { refreshToken: account.refreshToken });
      if (renewed.data?.refreshSession.__typename !== 'RefreshSessionPayload') throw new Error(JSON.stringify(renewed));
      const after = await shortLived.gql(ViewerDocument, {}, { token: renewed.data.refreshSession.session.accessToken });
      expect(after.data?.viewer?.user?.email).toBe(account.email);
    } finally {
      await shortLived.stop();
    }
  });

  it('are rejected with 401 when garbage or signed with another key', async () => {
    const account = await signUpAccount(server);
    const claims = { org: account.organizationId };
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(rawId(account.userId))
      .setIssuer('vigil')
      .setAudience('vigil-api')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(`${TEST_JWT_SECRET}-but-not-quite`));
    // The real token's claims with the signature stripped and `alg: none`, the classic JWT forgery.
    const payload = account.accessToken.split('.')[1]!;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    for (const token of ['garbage', forged, unsigned, `${account.accessToken}x`, 'vgl_aaaaaaaaaaaa_bbbb']) {
      await expectRejectedCredential(server, token);
    }
  });

  it('are rejected with 401 when the Authorization header is not a bearer token', async () => {
    const account = await signUpAccount(server);
    const result = await server.gql(ViewerDocument, {}, { headers: { authorization: `Basic ${account.accessToken}` } });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('are not needed to ask who is calling: anonymous viewer is null', async () => {
    const result = await server.gql(ViewerDocument, {});
    expect(result.status).toBe(200);
    expect(result.data?.viewer).toBeNull();
  });
});
