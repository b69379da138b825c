import { NotFoundError } from '../../services/errors.ts';
import { setDigestOptIn } from '../../services/digests.ts';
import type { MembershipRow } from '../../services/members.ts';
import { builder } from '../builder.ts';
import { authErrors, resultOf } from '../errors.ts';
import { Membership } from './members.ts';

const SetDigestOptInInput = builder.inputType('SetDigestOptInInput', {
  description: 'Whether you want the daily digest.',
  fields: (t) => ({ isOptedIn: t.boolean({ required: true, description: 'True to receive the daily digest email, false to stop.' }) }),
});

const SetDigestOptInPayload = builder.objectRef<{ membership: MembershipRow }>('SetDigestOptInPayload').implement({
  description: 'Your membership with the new setting.',
  fields: (t) => ({ membership: t.field({ type: Membership, description: 'Your membership.', resolve: (p) => p.membership }) }),
});

builder.mutationFields((t) => ({
  setDigestOptIn: t.field({
    type: SetDigestOptInPayload,
    description:
      'Turns the daily digest email on or off for your own membership. Signed-in members only: an API key gets a ForbiddenError, since it has no membership of its own.',
    authScopes: { member: true },
    errors: resultOf('setDigestOptIn', [...authErrors, NotFoundError]),
    args: { input: t.arg({ type: SetDigestOptInInput, required: true, description: 'The setting.' }) },
    resolve: async (_root, { input }, context) => ({ membership: await setDigestOptIn(context.db, context.viewer!, input.isOptedIn) }),
  }),
}));
