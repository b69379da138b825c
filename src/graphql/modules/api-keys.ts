import { countApiKeys, createApiKey, listApiKeys, loadApiKeys, revokeApiKey, type ApiKeyRow } from '../../services/api-keys.ts';
import { builder } from '../builder.ts';
import { connectionType, toConnection } from '../connection.ts';
import { RoleEnum } from '../enums.ts';
import { authErrors, authErrorsWithNotFound, resultOf } from '../errors.ts';
import { onlyUuids, parseGlobalId } from '../ids.ts';
import { User } from './accounts.ts';

export const ApiKey = builder.loadableNode('ApiKey', {
  description: 'A credential for scripts and integrations. Only its prefix is ever shown after creation. Owners and admins only.',
  id: { resolve: (k: ApiKeyRow) => k.id },
  load: (ids: string[], context) => (context.viewer ? loadApiKeys(context.db, context.viewer, onlyUuids(ids)) : Promise.resolve([])),
  sort: (k) => k.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What the key is for.' }),
    prefix: t.string({ description: 'Identifies the key, e.g. `vgl_ab12cd34ef56_…`.', resolve: (k) => `vgl_${k.prefix}_…` }),
    role: t.field({ type: RoleEnum, description: 'What the key may do.', resolve: (k) => k.role }),
    createdBy: t.field({ type: User, nullable: true, description: 'Who created it; null if that account is gone.', resolve: (k) => k.createdByUserId }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it stops working; null: never.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Last request made with it, to the minute; null: never used.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked; null while it works.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

const ApiKeyConnection = connectionType(ApiKey, 'ApiKey', {
  description: 'A page of API keys.',
  totalCount: 'How many API keys the organization has, revoked ones included.',
});

builder.queryField('apiKeys', (t) =>
  t.connection(
    {
      type: ApiKey,
      description: "The organization's API keys, newest first, revoked ones included. Owners and admins only.",
      authScopes: { role: 'admin' },
      resolve: async (_root, args, context) =>
        toConnection(await listApiKeys(context.db, context.viewer!, args), () => countApiKeys(context.db, context.viewer!)),
    },
    ApiKeyConnection,
  ),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for, at most 100 characters.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'What the key may do: at most your own role.' }),
    expiresAt: t.field({ type: 'DateTime', required: false, description: 'When it stops working (in the future); default: never.' }),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: ApiKeyRow; secret: string }>('CreateApiKeyPayload').implement({
  description: 'The new key and, this once, its secret.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, description: 'The key created.', resolve: (p) => p.apiKey }),
    secret: t.exposeString('secret', { description: 'The full key, to send as `Authorization: Bearer …`. Shown only once: store it now.' }),
  }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'The key to revoke.',
  fields: (t) => ({ apiKeyId: t.id({ required: true, description: 'Global ID of the key.' }) }),
});

const RevokeApiKeyPayload = builder.objectRef<{ apiKey: ApiKeyRow }>('RevokeApiKeyPayload').implement({
  description: 'The revoked key.',
  fields: (t) => ({ apiKey: t.field({ type: ApiKey, description: 'The key, now with `revokedAt` set.', resolve: (p) => p.apiKey }) }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description: 'Issues an API key with a role no higher than your own. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('createApiKey', authErrors),
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The key to create.' }) },
    resolve: (_root, { input }, context) => createApiKey(context.db, context.viewer!, input),
  }),
  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    description: 'Revokes an API key for good; revoking a revoked key changes nothing. Owners and admins.',
    authScopes: { role: 'admin' },
    errors: resultOf('revokeApiKey', authErrorsWithNotFound),
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true, description: 'The key to revoke.' }) },
    resolve: async (_root, { input }, context) => ({
      apiKey: await revokeApiKey(context.db, context.viewer!, parseGlobalId(input.apiKeyId, 'ApiKey', ['input', 'apiKeyId'])),
    }),
  }),
}));
