import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('webhook settings', () => {
  it('default to 10 s, 30 s, 2 min, 10 min and 1 h between attempts, a 10 s timeout, disabled after 5 failed deliveries', () => {
    expect(loadConfig({}).webhooks).toEqual({ timeoutMs: 10_000, retryDelaysMs: [10_000, 30_000, 120_000, 600_000, 3_600_000], disableAfterFailures: 5 });
  });

  it('read delays with units, or none at all', () => {
    expect(loadConfig({ WEBHOOK_RETRY_DELAYS: '250ms, 2s,1m,1h' }).webhooks.retryDelaysMs).toEqual([250, 2_000, 60_000, 3_600_000]);
    expect(loadConfig({ WEBHOOK_RETRY_DELAYS: 'none' }).webhooks.retryDelaysMs).toEqual([]);
  });

  it('report every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({ WEBHOOK_RETRY_DELAYS: '10s,soon', WEBHOOK_DISABLE_AFTER_FAILURES: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'WEBHOOK_RETRY_DELAYS: not a delay like 30s, 2m or 500ms: soon',
      expect.stringMatching(/^WEBHOOK_DISABLE_AFTER_FAILURES: /),
    ]);
  });
});
