import { NotFoundError } from '../../services/errors.ts';
import { setDigestOptIn } from '../../services/digests.ts';
import { builder } from '../builder.ts';
import { authErrors } from '../errors.ts';
import { Membership } from './members.ts';

builder.mutationFields((t) => ({
  setDigestOptIn: t.field({
    type: Membership,
    description:
      "Turns the daily digest email on or off for your own membership. Signed-in members only: an API key gets a ForbiddenError, since it has no membership of its own.",
    authScopes: { member: true },
    errors: { types: [...authErrors, NotFoundError] },
    args: { enabled: t.arg.boolean({ required: true, description: 'Whether to receive the daily digest.' }) },
    resolve: (_root, args, context) => setDigestOptIn(context.db, context.viewer!, args.enabled),
  }),
}));
