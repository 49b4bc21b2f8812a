import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from './calendly/signature';
import { ConfigError } from './errors';
import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from './lifecycle';

/** The environment as the CLI and the receiver see it. Only this file reads it. */
export type Env = Readonly<Record<string, string | undefined>>;

export type StoreConfig =
  { kind: 'upstash'; url: string; token: string } | { kind: 'sqlite'; path: string };

export interface AppConfig {
  calendly: { token: string | null; apiUrl: string; signingKeys: string[] };
  zoom: {
    accountId: string;
    clientId: string;
    clientSecret: string;
    apiUrl: string;
    oauthUrl: string;
  };
  store: StoreConfig;
  port: number;
  signatureToleranceSeconds: number;
  lifecycle: LifecycleConfig;
  receiver: ReceiverConfig;
}

/** What `serve` lets a flood hold of it, and how long it takes to stop (docs/receiver.md). */
export interface ReceiverConfig {
  /** RECEIVER_MAX_CONNECTIONS: open connections at once. */
  maxConnections: number;
  /** RECEIVER_MAX_BUFFERED_MB: request-body bytes held at once across all requests. */
  maxBufferedBytes: number;
  /** RECEIVER_HEADERS_TIMEOUT_MS: a connection must send its whole request head this soon. */
  headersTimeoutMs: number;
  /** RECEIVER_STOP_TIMEOUT_MS: SIGTERM to exit, at most (plus closing the store). */
  shutdownTimeoutMs: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_RECEIVER_CONFIG: ReceiverConfig = {
  // Far more than Calendly ever opens at once, and below the common `ulimit -n` of 1024.
  maxConnections: 500,
  maxBufferedBytes: 32 * MIB,
  // Calendly sends its headers at once; a slow network still needs far less than this.
  headersTimeoutMs: 10_000,
  // Inside the 10 s a container runtime gives between SIGTERM and SIGKILL, with margin.
  shutdownTimeoutMs: 8_000,
};

/** What a command needs; anything it needs and lacks is reported, everything else defaulted. */
export interface ConfigNeeds {
  calendlyToken?: boolean;
  signingKey?: boolean;
  zoom?: boolean;
}

export const DEFAULT_STORE_PATH = './data/calendly-zoom.db';

/**
 * Reads and validates the environment. Throws one ConfigError listing every problem, so a user
 * fixes them all in one go instead of one per restart.
 */
export function loadConfig(env: Env, needs: ConfigNeeds = {}): AppConfig {
  const problems: string[] = [];
  const value = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const required = (name: string, needed: boolean | undefined, what: string): string => {
    const v = value(name);
    if (!v && needed) problems.push(`${name} is not set: ${what}.`);
    return v ?? '';
  };
  const url = (name: string, fallback: string): string => {
    const v = value(name) ?? fallback;
    if (!/^https?:\/\/[^/\s]+/.test(v))
      problems.push(`${name} must be an http(s) URL, got "${v}".`);
    return v.replace(/\/+$/, '');
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const v = value(name);
    if (v === null) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${v}".`);
      return fallback;
    }
    return n;
  };
  const choice = <T extends string>(name: string, options: readonly T[], fallback: T): T => {
    const v = value(name);
    if (v === null) return fallback;
    if (!(options as readonly string[]).includes(v)) {
      problems.push(`${name} must be one of ${options.join(', ')}, got "${v}".`);
      return fallback;
    }
    return v as T;
  };

  const signingKeys = (value('CALENDLY_SIGNING_KEY') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (needs.signingKey && signingKeys.length === 0) {
    problems.push(
      'CALENDLY_SIGNING_KEY is not set: the signing key of the Calendly webhook subscription ' +
        '(printed once by `calendly-zoom webhooks subscribe`); several keys may be comma-separated.',
    );
  }

  const upstashUrl = value('UPSTASH_REDIS_REST_URL');
  const upstashToken = value('UPSTASH_REDIS_REST_TOKEN');
  let store: StoreConfig;
  if (upstashUrl || upstashToken) {
    if (!upstashUrl)
      problems.push('UPSTASH_REDIS_REST_TOKEN is set but UPSTASH_REDIS_REST_URL is not.');
    if (!upstashToken)
      problems.push('UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not.');
    store = {
      kind: 'upstash',
      url: url('UPSTASH_REDIS_REST_URL', upstashUrl ?? ''),
      token: upstashToken ?? '',
    };
  } else {
    store = { kind: 'sqlite', path: value('STORE_PATH') ?? DEFAULT_STORE_PATH };
  }

  const defaultHost = value('ZOOM_DEFAULT_HOST');
  if (defaultHost && !defaultHost.includes('@') && defaultHost !== 'me') {
    problems.push(`ZOOM_DEFAULT_HOST must be the email of a Zoom user, got "${defaultHost}".`);
  }

  const config: AppConfig = {
    calendly: {
      token:
        required('CALENDLY_TOKEN', needs.calendlyToken, 'a Calendly personal access token') || null,
      apiUrl: url('CALENDLY_API_URL', 'https://api.calendly.com'),
      signingKeys,
    },
    zoom: {
      accountId: required(
        'ZOOM_ACCOUNT_ID',
        needs.zoom,
        'the Account ID of the Zoom Server-to-Server OAuth app',
      ),
      clientId: required(
        'ZOOM_CLIENT_ID',
        needs.zoom,
        'the Client ID of the Zoom Server-to-Server OAuth app',
      ),
      clientSecret: required(
        'ZOOM_CLIENT_SECRET',
        needs.zoom,
        'the Client Secret of the Zoom Server-to-Server OAuth app',
      ),
      apiUrl: url('ZOOM_API_URL', 'https://api.zoom.us/v2'),
      oauthUrl: url('ZOOM_OAUTH_URL', 'https://zoom.us/oauth/token'),
    },
    store,
    port: integer('PORT', 3000, 0, 65535),
    signatureToleranceSeconds: integer(
      'SIGNATURE_TOLERANCE_SECONDS',
      DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
      1,
      86_400,
    ),
    lifecycle: {
      ...DEFAULT_LIFECYCLE_CONFIG,
      defaultHost,
      reschedule: choice(
        'RESCHEDULE_MODE',
        ['recreate', 'move'] as const,
        DEFAULT_LIFECYCLE_CONFIG.reschedule,
      ),
      nativeZoom: choice(
        'NATIVE_ZOOM',
        ['skip', 'create'] as const,
        DEFAULT_LIFECYCLE_CONFIG.nativeZoom,
      ),
      topicTemplate: value('MEETING_TOPIC_TEMPLATE') ?? DEFAULT_LIFECYCLE_CONFIG.topicTemplate,
      createSettleMs:
        integer(
          'ZOOM_CREATE_SETTLE_SECONDS',
          DEFAULT_LIFECYCLE_CONFIG.createSettleMs / 1000,
          0,
          3600,
        ) * 1000,
    },
    receiver: {
      maxConnections: integer(
        'RECEIVER_MAX_CONNECTIONS',
        DEFAULT_RECEIVER_CONFIG.maxConnections,
        1,
        1_000_000,
      ),
      maxBufferedBytes:
        integer(
          'RECEIVER_MAX_BUFFERED_MB',
          DEFAULT_RECEIVER_CONFIG.maxBufferedBytes / MIB,
          1,
          65_536,
        ) * MIB,
      headersTimeoutMs: integer(
        'RECEIVER_HEADERS_TIMEOUT_MS',
        DEFAULT_RECEIVER_CONFIG.headersTimeoutMs,
        1_000,
        600_000,
      ),
      shutdownTimeoutMs: integer(
        'RECEIVER_STOP_TIMEOUT_MS',
        DEFAULT_RECEIVER_CONFIG.shutdownTimeoutMs,
        100,
        600_000,
      ),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
