import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooks } from '../../src/db/schema/index.ts';
import { decryptSecret } from '../../src/lib/crypto.ts';
import {
  CreateWebhookDocument,
  DeleteWebhookDocument,
  TestWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
  type CreateWebhookInput,
  type Role,
} from '../generated/graphql.ts';
import { addTestMember, createTestApiKey } from '../helpers/accounts.ts';
import { dataOf, errorCodes, expectMember } from '../helpers/domain.ts';
import { globalId, rawId, signUpAccount, type TestAccount } from '../helpers/fixtures.ts';
import { startTestServer, TEST_ENCRYPTION_KEY, type TestServer } from '../helpers/server.ts';
import { createTestWebhook } from '../helpers/webhooks.ts';

let server: TestServer;
let acme: TestAccount;
let rival: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  acme = await signUpAccount(server);
  rival = await signUpAccount(server);
});
afterAll(() => server?.stop());

const HOOK = 'https://hooks.acme.example/vigil';

async function listUrls(token: string): Promise<string[]> {
  return dataOf(await server.gql(WebhooksDocument, {}, { token })).webhooks.map((w) => w.url);
}

describe('createWebhook', () => {
  it('returns the signing secret once; it is stored encrypted and never returned again', async () => {
    const created = expectMember(
      dataOf(await server.gql(CreateWebhookDocument, { input: { url: HOOK, events: ['ALERT_CREATED', 'SCAN_FAILED', 'ALERT_CREATED'] } }, { token: acme.accessToken }))
        .createWebhook,
      'CreateWebhookPayload',
    );
    const { secret, webhook } = created;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({
      url: HOOK,
      events: ['ALERT_CREATED', 'SCAN_FAILED'],
      isActive: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });

    // Nothing a member can read afterwards carries the secret: the list, the node, its deliveries.
    const listed = await server.gql(WebhooksDocument, {}, { token: acme.accessToken });
    const node = await server.gql(WebhookDeliveriesDocument, { id: webhook.id, first: 10 }, { token: acme.accessToken });
    expect(listed.data?.webhooks.map((w) => w.id)).toContain(webhook.id);
    expect(node.data?.node).toMatchObject({ id: webhook.id, url: HOOK });
    expect(JSON.stringify(listed)).not.toContain(secret.slice('whsec_'.length));
    expect(JSON.stringify(node)).not.toContain(secret.slice('whsec_'.length));

    const [row] = await server.database.db.select().from(webhooks).where(eq(webhooks.id, rawId(webhook.id)));
    expect(row!.secretEncrypted).not.toContain(secret.slice('whsec_'.length));
    expect(decryptSecret(TEST_ENCRYPTION_KEY, row!.secretEncrypted)).toBe(secret);
  });

  it('gives every webhook its own secret', async () => {
    const first = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/1`, events: ['ALERT_UPDATED'] });
    const second = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/2`, events: ['ALERT_UPDATED'] });
    expect(first.secret).not.toBe(second.secret);
  });

  it.each([
    ['a non-http URL', { url: 'ftp://hooks.acme.example/vigil', events: ['ALERT_CREATED'] }, ['input', 'url'], 'must be an http(s) URL'],
    ['something that is not a URL', { url: 'hooks dot acme', events: ['ALERT_CREATED'] }, ['input', 'url'], 'must be an http(s) URL'],
    ['a URL with credentials', { url: 'https://user:pw@hooks.acme.example/', events: ['ALERT_CREATED'] }, ['input', 'url'], 'must not contain a user name or password'],
    ['no events', { url: HOOK, events: [] }, ['input', 'events'], 'must list at least one event'],
  ] as [string, CreateWebhookInput, string[], string][])('refuses %s with a ValidationError naming the field', async (_label, input, path, message) => {
    const before = await listUrls(acme.accessToken);
    const result = dataOf(await server.gql(CreateWebhookDocument, { input }, { token: acme.accessToken })).createWebhook;
    const error = expectMember(result, 'ValidationError');
    expect(error.issues).toEqual([{ path, message: expect.stringContaining(message) }]);
    expect(await listUrls(acme.accessToken)).toEqual(before);
  });
});

describe('updateWebhook and deleteWebhook', () => {
  it('changes the URL and events, keeps what is left out, and validates like creation', async () => {
    const { id } = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/update`, events: ['ALERT_CREATED'] });
    const updated = expectMember(
      dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, events: ['ALERT_UPDATED', 'DIGEST_DAILY'] } }, { token: acme.accessToken })).updateWebhook,
      'UpdateWebhookPayload',
    );
    expect(updated.webhook).toMatchObject({ url: `${HOOK}/update`, events: ['ALERT_UPDATED', 'DIGEST_DAILY'], isActive: true });

    const moved = expectMember(
      dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, url: `${HOOK}/moved` } }, { token: acme.accessToken })).updateWebhook,
      'UpdateWebhookPayload',
    );
    expect(moved.webhook).toMatchObject({ url: `${HOOK}/moved`, events: ['ALERT_UPDATED', 'DIGEST_DAILY'] });

    const invalid = dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, url: 'javascript:alert(1)', events: [] } }, { token: acme.accessToken }))
      .updateWebhook;
    expect(expectMember(invalid, 'ValidationError').issues.map((i) => i.path)).toEqual([
      ['input', 'url'],
      ['input', 'events'],
    ]);
    // Events are an enum: an unknown one never reaches the resolver.
    const unknown = await server.gql(UpdateWebhookDocument, { input: { webhookId: id, events: ['alert.deleted' as never] } }, { token: acme.accessToken });
    expect(unknown.data ?? null).toBeNull();
    expect(unknown.errors?.[0]?.message).toMatch(/WebhookEvent/);
  });

  it('disables by hand with a reason, and re-enables', async () => {
    const { id } = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/toggle`, events: ['ALERT_CREATED'] });
    const off = expectMember(
      dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, isActive: false } }, { token: acme.accessToken })).updateWebhook,
      'UpdateWebhookPayload',
    );
    expect(off.webhook).toMatchObject({ isActive: false, disabledReason: 'Disabled by an administrator' });
    expect(off.webhook.disabledAt).not.toBeNull();
    const on = expectMember(
      dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, isActive: true } }, { token: acme.accessToken })).updateWebhook,
      'UpdateWebhookPayload',
    );
    expect(on.webhook).toMatchObject({ isActive: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0 });
  });

  it('deletes the webhook; a second delete is NotFound', async () => {
    const { id } = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/delete`, events: ['ALERT_CREATED'] });
    const deleted = dataOf(await server.gql(DeleteWebhookDocument, { id }, { token: acme.accessToken })).deleteWebhook;
    expect(expectMember(deleted, 'DeleteWebhookPayload').deletedWebhookId).toBe(id);
    expect(await listUrls(acme.accessToken)).not.toContain(`${HOOK}/delete`);
    const again = dataOf(await server.gql(DeleteWebhookDocument, { id }, { token: acme.accessToken })).deleteWebhook;
    expect(expectMember(again, 'NotFoundError')).toMatchObject({ resource: 'WEBHOOK', id: id });
  });
});

describe('tenant isolation', () => {
  it("another organization cannot see, update, delete or test a webhook: NotFound, and nothing changes", async () => {
    const { id } = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/private`, events: ['ALERT_CREATED'] });
    const asRival = { token: rival.accessToken };

    expect(await listUrls(rival.accessToken)).not.toContain(`${HOOK}/private`);
    expect(dataOf(await server.gql(WebhookDeliveriesDocument, { id, first: 5 }, asRival)).node).toBeNull();

    const update = dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, url: 'https://rival.example/steal' } }, asRival)).updateWebhook;
    const test = dataOf(await server.gql(TestWebhookDocument, { id }, asRival)).testWebhook;
    const remove = dataOf(await server.gql(DeleteWebhookDocument, { id }, asRival)).deleteWebhook;
    for (const result of [update, test, remove]) {
      expect(expectMember(result, 'NotFoundError')).toMatchObject({ code: 'NOT_FOUND', resource: 'WEBHOOK', id: id });
    }

    const [row] = dataOf(await server.gql(WebhooksDocument, {}, { token: acme.accessToken })).webhooks.filter((w) => w.id === id);
    expect(row).toMatchObject({ url: `${HOOK}/private`, isActive: true });
    const deliveries = await server.gql(WebhookDeliveriesDocument, { id, first: 5 }, { token: acme.accessToken });
    expect(deliveries.data?.node).toMatchObject({ deliveries: { edges: [] } });
  });

  it('an ID of another type or garbage is a ValidationError on the id argument', async () => {
    const result = dataOf(await server.gql(TestWebhookDocument, { id: globalId('Monitor', rawId(acme.organizationId)) }, { token: acme.accessToken })).testWebhook;
    expect(expectMember(result, 'ValidationError').issues).toEqual([{ path: ['input', 'webhookId'], message: 'is not a valid Webhook ID' }]);
  });
});

describe('roles', () => {
  const cases: { role: Role; isApiKey: boolean; canManage: boolean }[] = [
    { role: 'ADMIN', isApiKey: false, canManage: true },
    { role: 'ADMIN', isApiKey: true, canManage: true },
    { role: 'ANALYST', isApiKey: false, canManage: false },
    { role: 'ANALYST', isApiKey: true, canManage: false },
    { role: 'VIEWER', isApiKey: false, canManage: false },
  ];

  it.each(cases)('$role (API key: $isApiKey) manages webhooks: $canManage', async ({ role, isApiKey, canManage }) => {
    const token = isApiKey
      ? (await createTestApiKey(server, acme.accessToken, { role })).secret
      : (await addTestMember(server, acme, role)).accessToken;
    const { id } = await createTestWebhook(server, acme.accessToken, { url: `${HOOK}/${role}-${isApiKey}`, events: ['ALERT_CREATED'] });
    const auth = { token };

    const list = await server.gql(WebhooksDocument, {}, auth);
    const create = dataOf(await server.gql(CreateWebhookDocument, { input: { url: `${HOOK}/by-${role}`, events: ['ALERT_CREATED'] } }, auth)).createWebhook;
    const update = dataOf(await server.gql(UpdateWebhookDocument, { input: { webhookId: id, events: ['SCAN_FAILED'] } }, auth)).updateWebhook;
    const test = dataOf(await server.gql(TestWebhookDocument, { id }, auth)).testWebhook;
    const node = dataOf(await server.gql(WebhookDeliveriesDocument, { id, first: 5 }, auth)).node;
    const remove = dataOf(await server.gql(DeleteWebhookDocument, { id }, auth)).deleteWebhook;

    if (canManage) {
      expect(list.data?.webhooks.map((w) => w.id)).toContain(id);
      expect([create.__typename, update.__typename, test.__typename, remove.__typename]).toEqual([
        'CreateWebhookPayload',
        'UpdateWebhookPayload',
        'TestWebhookPayload',
        'DeleteWebhookPayload',
      ]);
      expect(node).toMatchObject({ id });
    } else {
      expect(list.data).toBeNull();
      expect(errorCodes(list)).toEqual(['FORBIDDEN']);
      for (const result of [create, update, test, remove]) expect(result).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      // Not even through node(id): webhooks are not something an analyst can read.
      expect(node).toBeNull();
      const [kept] = dataOf(await server.gql(WebhooksDocument, {}, { token: acme.accessToken })).webhooks.filter((w) => w.id === id);
      expect(kept).toMatchObject({ events: ['ALERT_CREATED'] });
    }
  });

  it('an anonymous caller is refused', async () => {
    const result = dataOf(await server.gql(CreateWebhookDocument, { input: { url: HOOK, events: ['ALERT_CREATED'] } })).createWebhook;
    expect(result).toMatchObject({ __typename: 'AuthenticationError', code: 'UNAUTHENTICATED' });
  });
});
