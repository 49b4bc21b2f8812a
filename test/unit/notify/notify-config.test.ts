import { loadConfig, type Env } from '../../../src/config';
import { ConfigError } from '../../../src/errors';
import { configuredChannels, describeChannel } from '../../../src/notify/channels';
import { generateWebhookSecret, webhookSecretProblem } from '../../../src/notify/secret';

function problemsOf(env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const secret = generateWebhookSecret();

describe('notification settings', () => {
  it('are off by default', () => {
    expect(loadConfig({}).notify).toEqual({
      webhookUrls: [],
      secret: null,
      includePasscode: false,
      mail: null,
    });
  });

  it('read NOTIFY_URLS comma-separated, with their secret', () => {
    const config = loadConfig({
      NOTIFY_URLS: 'https://crm.example.com/hooks/zoom, http://127.0.0.1:9000/x',
      NOTIFY_SECRET: secret,
      NOTIFY_INCLUDE_PASSCODE: 'true',
    });
    expect(config.notify).toMatchObject({
      webhookUrls: ['https://crm.example.com/hooks/zoom', 'http://127.0.0.1:9000/x'],
      secret,
      includePasscode: true,
    });
    expect(configuredChannels(config.notify)).toEqual([
      'webhook:https://crm.example.com/hooks/zoom',
      'webhook:http://127.0.0.1:9000/x',
    ]);
  });

  it('read the SMTP settings, and add the email channel', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:pw@smtp.example.com:465',
      MAIL_FROM: 'Acme <bookings@acme.example>',
      MAIL_CC_HOST: 'yes',
      MAIL_TEMPLATE_DIR: './mail',
      MAIL_LOCALE: 'de-DE',
    });
    expect(config.notify.mail).toEqual({
      smtpUrl: 'smtps://user:pw@smtp.example.com:465',
      from: 'Acme <bookings@acme.example>',
      ccHost: true,
      templateDir: './mail',
      locale: 'de-DE',
    });
    expect(configuredChannels(config.notify)).toEqual(['email']);
  });

  it('need NOTIFY_SECRET with NOTIFY_URLS, and MAIL_FROM with SMTP_URL', () => {
    const problems = problemsOf({ NOTIFY_URLS: 'https://a.example', SMTP_URL: 'smtp://h' });
    expect(problems).toEqual([
      expect.stringContaining('NOTIFY_SECRET is not set'),
      expect.stringContaining('MAIL_FROM is not set'),
    ]);
  });

  it('report every malformed value, without echoing URLs that may hold secrets', () => {
    const problems = problemsOf({
      NOTIFY_URLS: 'https://ok.example,ftp://files.example/secret-token',
      NOTIFY_SECRET: 'not-a-secret',
      NOTIFY_INCLUDE_PASSCODE: 'maybe',
      SMTP_URL: 'https://user:smtp-password@mail.example',
      MAIL_FROM: 'nobody',
      MAIL_CC_HOST: '2',
      MAIL_LOCALE: 'not a locale!',
    });
    expect(problems).toHaveLength(7);
    for (const name of [
      'NOTIFY_URLS: entry 2',
      'NOTIFY_SECRET must start with "whsec_"',
      'NOTIFY_INCLUDE_PASSCODE',
      'SMTP_URL',
      'MAIL_FROM',
      'MAIL_CC_HOST',
      'MAIL_LOCALE',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
    expect(problems.join('\n')).not.toMatch(/secret-token|smtp-password|not-a-secret/);
  });
});

describe('webhookSecretProblem', () => {
  it('accepts what `notify secret` makes', () => {
    expect(webhookSecretProblem(generateWebhookSecret())).toBeNull();
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64'), 'must start with "whsec_"'],
    ['not base64', 'whsec_not base64!', 'standard base64'],
    ['unpadded', `whsec_${Buffer.alloc(32, 1).toString('base64').replace(/=+$/, '')}`, 'base64'],
    ['too short', `whsec_${Buffer.alloc(16, 1).toString('base64')}`, 'encodes 16'],
    ['too long', `whsec_${Buffer.alloc(65, 1).toString('base64')}`, 'encodes 65'],
  ])('refuses a secret with %s', (_, value, problem) => {
    expect(webhookSecretProblem(value)).toContain(problem);
  });
});

describe('describeChannel', () => {
  it.each([
    ['email', 'email'],
    ['webhook:https://crm.example.com', 'webhook:https://crm.example.com'],
    [
      'webhook:https://hooks.zapier.com/hooks/catch/123/abcdef/',
      'webhook:https://hooks.zapier.com/…',
    ],
    ['webhook:https://a.example/?token=secret', 'webhook:https://a.example/…'],
  ])('shows %s as %s: a hook URL’s path may be its secret', (channel, shown) => {
    expect(describeChannel(channel)).toBe(shown);
  });
});
