import type { DemoCredentials } from './demo-credentials.ts';

export interface BannerFacts {
  /** Base URL the API listens on, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  isGraphiqlEnabled: boolean;
  /** Where the embedded PostgreSQL keeps its data, when it runs. */
  embeddedDataDir?: string;
  demo?: DemoCredentials;
}

/**
 * The few lines a person needs after `npm start` on a terminal. Printed to the terminal directly,
 * never through the logger: it holds the demo password and API key, which no log line may carry.
 */
export function formatBanner(facts: BannerFacts): string {
  const endpoint = `${facts.baseUrl}/graphql`;
  const rows: [string, string][] = [['API', `${endpoint}  (POST GraphQL; WebSocket and SSE for subscriptions)`]];
  if (facts.isGraphiqlEnabled) rows.push(['GraphiQL', `${endpoint}  (open it in a browser)`]);
  if (facts.demo) {
    rows.push(['Demo login', `${facts.demo.email} / ${facts.demo.password ?? '(set when the workspace was first seeded)'}`]);
    if (facts.demo.apiKey) {
      rows.push(['Demo API key', facts.demo.apiKey]);
      rows.push(['', `GraphiQL Headers tab: { "Authorization": "Bearer ${facts.demo.apiKey}" }`]);
      rows.push(['Live alerts', `VIGIL_URL=${facts.baseUrl} VIGIL_TOKEN=${facts.demo.apiKey} npm run watch`]);
    }
  }
  if (facts.embeddedDataDir) rows.push(['Data', `${facts.embeddedDataDir} (embedded PostgreSQL)`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return ['', '  Vigil is running', '', ...lines, '', '  Ctrl+C stops Vigil (and its embedded PostgreSQL).', ''].join('\n');
}
