import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../../services/api-keys.ts';
import { AuthenticationError, ForbiddenError, NotFoundError, ValidationError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { RoleEnum } from '../enums.ts';
import { parseGlobalId } from '../ids.ts';
import { User } from './accounts.ts';

export const ApiKey = builder.node(builder.objectRef<ApiKeyRow>('ApiKey'), {
  description: 'A credential for scripts and integrations. Only its prefix is ever shown after creation.',
  id: { resolve: (k) => k.id },
  loadOne: () => null,
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.string({ description: 'Identifies the key, e.g. `vgl_ab12cd34ef56_…`.', resolve: (k) => `vgl_${k.prefix}_…` }),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role }),
    createdBy: t.field({ type: User, nullable: true, resolve: (k) => k.createdByUserId }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreatedApiKey = builder.objectRef<{ apiKey: ApiKeyRow; secret: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (c) => c.apiKey }),
    secret: t.exposeString('secret', { description: 'The full key. Shown only once: store it now.' }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKey],
    description: "The organization's API keys, newest first. Owners and admins only.",
    authScopes: { role: 'admin' },
    resolve: (_root, _args, context) => listApiKeys(context.db, context.viewer!),
  }),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true, description: 'At most your own role.' }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { role: 'admin' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError] },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, context) => createApiKey(context.db, context.viewer!, input),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    authScopes: { role: 'admin' },
    errors: { types: [AuthenticationError, ForbiddenError, ValidationError, NotFoundError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => revokeApiKey(context.db, context.viewer!, parseGlobalId(args.id, 'ApiKey', ['id'])),
  }),
}));
