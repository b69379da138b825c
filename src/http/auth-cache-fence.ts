import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AuthCache } from '../services/auth-cache.ts';
import { describeOperation } from './metrics.ts';

/**
 * The credential cache hears of changes through NOTIFY, which reaches this process a moment after
 * the commit — possibly after the client that made the change has sent its next request. So once
 * a mutation has run here, whatever it changed, the cache drops what it could have affected: the
 * caller's organization, or everything when there was no caller (logging in, refreshing or reusing
 * a refresh token). Other processes rely on the notification alone.
 */
export function useAuthCacheFence(cache: () => AuthCache | undefined): Plugin {
  return {
    onExecute({ args }) {
      if (describeOperation(args.document as DocumentNode, args.operationName).type !== 'mutation') return;
      const viewer = (args.contextValue as { viewer?: { organizationId: string } | null }).viewer;
      return {
        onExecuteDone() {
          cache()?.invalidate(viewer?.organizationId);
        },
      };
    },
  };
}
