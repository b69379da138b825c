import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('digest settings', () => {
  it('default to 07:00 UTC, 20 listed alerts, and no email until SMTP_URL is set', () => {
    expect(loadConfig({}).digest).toEqual({ smtpUrl: undefined, from: 'Vigil <digest@vigil.localhost>', hourUtc: 7, maxAlerts: 20, smtpTimeoutMs: 30_000 });
    expect(loadConfig({ SMTP_URL: 'smtps://mailer:secret@mail.example.com:465', DIGEST_HOUR_UTC: '23' }).digest).toMatchObject({
      smtpUrl: 'smtps://mailer:secret@mail.example.com:465',
      hourUtc: 23,
    });
  });

  it('report every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({ SMTP_URL: 'https://mail.example.com', DIGEST_HOUR_UTC: '24' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SMTP_URL: must be an smtp:// or smtps:// URL',
      expect.stringMatching(/^DIGEST_HOUR_UTC: /),
    ]);
  });
});
