import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * The Vigil tab GraphiQL opens on: what to send, and three operations worth running first. The
 * Authorization note comes first because without it every operation below answers "not signed in".
 */
export const VIGIL_TAB_QUERY = `# Welcome to Vigil.
#
# Put your API key (npm start prints a demo key) or an access token in the Headers tab below:
#   { "Authorization": "Bearer vgl_..." }
# Queries, mutations and subscriptions all send it.
#
# Run an operation with the ▶ button (it asks which one) or Ctrl+Enter with the cursor inside it.

query Viewer {
  viewer {
    role
    isApiKey
    organization { name }
  }
}

# Filters combine: here, open HIGH and CRITICAL phishing or fraud alerts.
query OpenSevereAlerts {
  alerts(first: 20, filter: { minSeverity: HIGH, statuses: [NEW, ACKNOWLEDGED], categories: [PHISHING, FRAUD] }) {
    nodes { id title severity category status url createdAt monitor { name } }
    pageInfo { hasNextPage endCursor }
  }
}

# New alerts as they are raised. With \`after\` set to a cursor you received, everything
# committed since that alert is replayed first, so a reconnect misses nothing.
subscription NewAlerts($after: String) {
  alertCreated(after: $after, filter: { minSeverity: MEDIUM }) {
    cursor
    alert { id title severity category url monitor { name } }
  }
}
`;

/**
 * GraphiQL as Vigil serves it. Subscriptions go over Server-Sent Events on /graphql: a plain HTTP
 * request, so they carry the Headers tab like queries do, and a refused key is answered with an
 * error GraphiQL shows instead of a socket it silently reopens. graphql-ws stays for other clients.
 */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Vigil GraphiQL',
  subscriptionsProtocol: 'SSE',
  // Headers start empty: a placeholder key would be refused, and with it the schema GraphiQL loads.
  defaultTabs: [{ query: VIGIL_TAB_QUERY, headers: '{}', variables: '{}' }],
  // Keys stay out of the browser's storage; the tab's own text is still remembered.
  shouldPersistHeaders: false,
};

/** GraphiQL's page with its code inlined from the installed package: no CDN, works offline. */
export const renderOfflineGraphiQL = (options: GraphiQLOptions) => renderGraphiQL(options);
