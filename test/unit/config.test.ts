import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const zoom = { ZOOM_ACCOUNT_ID: 'acc', ZOOM_CLIENT_ID: 'cid', ZOOM_CLIENT_SECRET: 'secret' };

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      calendly: { token: null, apiUrl: 'https://api.calendly.com', signingKeys: [] },
      zoom: { apiUrl: 'https://api.zoom.us/v2', oauthUrl: 'https://zoom.us/oauth/token' },
      store: { kind: 'sqlite', path: './data/calendly-zoom.db' },
      port: 3000,
      signatureToleranceSeconds: 300,
      lifecycle: { reschedule: 'recreate', nativeZoom: 'skip', defaultHost: null },
    });
  });

  it("reads the receiver's limits, with defaults that hold a flood to a bounded size", () => {
    expect(loadConfig({}).receiver).toEqual({
      maxConnections: 500,
      maxBufferedBytes: 32 * 1024 * 1024,
      headersTimeoutMs: 10_000,
      shutdownTimeoutMs: 8_000,
    });
    expect(
      loadConfig({
        RECEIVER_MAX_CONNECTIONS: '2000',
        RECEIVER_MAX_BUFFERED_MB: '8',
        RECEIVER_HEADERS_TIMEOUT_MS: '5000',
        RECEIVER_STOP_TIMEOUT_MS: '25000',
      }).receiver,
    ).toEqual({
      maxConnections: 2000,
      maxBufferedBytes: 8 * 1024 * 1024,
      headersTimeoutMs: 5000,
      shutdownTimeoutMs: 25_000,
    });
  });

  it('names each receiver limit that is not a whole number in range', () => {
    const problems = problemsOf(() =>
      loadConfig({
        RECEIVER_MAX_CONNECTIONS: '0',
        RECEIVER_MAX_BUFFERED_MB: 'lots',
        RECEIVER_HEADERS_TIMEOUT_MS: '10',
        RECEIVER_STOP_TIMEOUT_MS: '-1',
      }),
    );
    expect(problems).toHaveLength(4);
    for (const name of [
      'RECEIVER_MAX_CONNECTIONS',
      'RECEIVER_MAX_BUFFERED_MB',
      'RECEIVER_HEADERS_TIMEOUT_MS',
      'RECEIVER_STOP_TIMEOUT_MS',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
  });

  it('reports every missing setting a command needs in one error', () => {
    const problems = problemsOf(() =>
      loadConfig({}, { calendlyToken: true, signingKey: true, zoom: true }),
    );
    expect(problems).toHaveLength(5);
    for (const name of [
      'CALENDLY_TOKEN',
      'CALENDLY_SIGNING_KEY',
      'ZOOM_ACCOUNT_ID',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
  });

  it('splits comma-separated signing keys for rotation', () => {
    const config = loadConfig({ CALENDLY_SIGNING_KEY: 'new-key, old-key' }, { signingKey: true });
    expect(config.calendly.signingKeys).toEqual(['new-key', 'old-key']);
  });

  it('uses Upstash when its URL and token are set', () => {
    const config = loadConfig({
      UPSTASH_REDIS_REST_URL: 'https://x.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 't',
    });
    expect(config.store).toEqual({
      kind: 'upstash',
      url: 'https://x.upstash.io',
      token: 't',
      prefix: 'cz:',
    });
  });

  it('keeps Upstash keys under UPSTASH_KEY_PREFIX, so deployments can share a database', () => {
    const upstash = {
      UPSTASH_REDIS_REST_URL: 'https://x.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 't',
    };
    expect(loadConfig({ ...upstash, UPSTASH_KEY_PREFIX: 'staging:' }).store).toMatchObject({
      prefix: 'staging:',
    });
    expect(problemsOf(() => loadConfig({ ...upstash, UPSTASH_KEY_PREFIX: 'a b*' }))).toEqual([
      expect.stringContaining('UPSTASH_KEY_PREFIX may hold only'),
    ]);
  });

  it('rejects an Upstash URL without its token', () => {
    expect(
      problemsOf(() => loadConfig({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' })),
    ).toEqual(['UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not.']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SIGNATURE_TOLERANCE_SECONDS', '-5'],
    ['ZOOM_API_URL', 'api.zoom.us'],
    ['RESCHEDULE_MODE', 'teleport'],
    ['NATIVE_ZOOM', 'maybe'],
    ['ZOOM_DEFAULT_HOST', 'not-an-email'],
  ])('rejects a malformed %s (%s) and names it', (name, bad) => {
    const problems = problemsOf(() => loadConfig({ ...zoom, [name]: bad }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('never puts a secret into its error messages', () => {
    const problems = problemsOf(() =>
      loadConfig({
        ZOOM_CLIENT_SECRET: 'very-secret',
        UPSTASH_REDIS_REST_TOKEN: 'tok-secret',
        PORT: 'x',
      }),
    );
    expect(problems.join('\n')).not.toMatch(/very-secret|tok-secret/);
  });
});
