import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from './calendly/signature';
import { ConfigError } from './errors';
import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from './lifecycle';
import { DEFAULT_PENDING_MOVE_TIMEOUT_MS } from './maintenance';
import { DEFAULT_PREFIX } from './store/upstash';
import { webhookSecretProblem } from './notify/secret';

/** The environment as the CLI and the receiver see it. Only this file reads it. */
export type Env = Readonly<Record<string, string | undefined>>;

export type StoreConfig =
  /** `prefix`: every key starts with it (UPSTASH_KEY_PREFIX), so deployments can share a database. */
  | { kind: 'upstash'; url: string; token: string; prefix: string }
  | { kind: 'sqlite'; path: string };

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
  notify: NotifyConfig;
  maintenance: MaintenanceConfig;
  status: StatusConfig;
}

/** The housekeeping `serve` runs on a timer (src/maintenance.ts). */
export interface MaintenanceConfig {
  /** MAINTENANCE_INTERVAL_MINUTES; 0 turns it off. */
  intervalMs: number;
  /** PENDING_MOVE_TIMEOUT_HOURS: how long a meeting kept for a move waits for its new booking. */
  pendingMoveTimeoutMs: number;
}

const DEFAULT_MAINTENANCE_INTERVAL_MINUTES = 15;

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
    const prefix = value('UPSTASH_KEY_PREFIX') ?? DEFAULT_PREFIX;
    if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) {
      problems.push(
        'UPSTASH_KEY_PREFIX may hold only letters, digits and : _ . - (at most 64 characters).',
      );
    }
    store = {
      kind: 'upstash',
      url: url('UPSTASH_REDIS_REST_URL', upstashUrl ?? ''),
      token: upstashToken ?? '',
      prefix,
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
    notify: loadNotifyConfig(value, problems),
    maintenance: {
      intervalMs:
        integer('MAINTENANCE_INTERVAL_MINUTES', DEFAULT_MAINTENANCE_INTERVAL_MINUTES, 0, 1440) *
        60_000,
      pendingMoveTimeoutMs:
        integer('PENDING_MOVE_TIMEOUT_HOURS', DEFAULT_PENDING_MOVE_TIMEOUT_MS / 3600_000, 1, 720) *
        3600_000,
    },
    status: loadStatusConfig(value, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

// --- Notifications (signed webhooks and invitee email): docs/notifications.md ---

export interface MailConfig {
  /** nodemailer connection URL, e.g. smtps://user:pass@smtp.example.com. Holds a password. */
  smtpUrl: string;
  from: string;
  /** Send the host a copy (Cc) of every invitee email. */
  ccHost: boolean;
  /** Directory of subject/text/HTML templates replacing the built-in ones, file by file. */
  templateDir: string | null;
  /** BCP 47 locale for dates and times in emails. */
  locale: string;
}

export interface NotifyConfig {
  /** Consumers of the signed webhooks (NOTIFY_URLS). */
  webhookUrls: string[];
  /** `whsec_…`; set whenever webhookUrls is not empty. */
  secret: string | null;
  /** Send the meeting passcode in webhooks and emails. */
  includePasscode: boolean;
  /** Null unless SMTP_URL is set. */
  mail: MailConfig | null;
}

export const DEFAULT_MAIL_LOCALE = 'en-US';

function loadNotifyConfig(
  value: (name: string) => string | null,
  problems: string[],
): NotifyConfig {
  const flag = (name: string): boolean => {
    const v = value(name)?.toLowerCase() ?? 'false';
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (!['false', '0', 'no', 'off'].includes(v)) problems.push(`${name} must be true or false.`);
    return false;
  };

  const webhookUrls = (value('NOTIFY_URLS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  webhookUrls.forEach((u, i) => {
    // Never echoed: a consumer URL often carries its own secret in the path (Zapier, Make hooks).
    if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol)) {
      problems.push(`NOTIFY_URLS: entry ${i + 1} is not an http(s) URL.`);
    }
  });
  const secret = value('NOTIFY_SECRET');
  const secretProblem = secret === null ? null : webhookSecretProblem(secret);
  if (secretProblem) problems.push(`NOTIFY_SECRET ${secretProblem}.`);
  if (webhookUrls.length > 0 && secret === null) {
    problems.push(
      'NOTIFY_SECRET is not set: NOTIFY_URLS get signed notifications and need a whsec_ secret ' +
        '(make one with `calendly-zoom notify secret`).',
    );
  }

  const smtpUrl = value('SMTP_URL');
  const from = value('MAIL_FROM');
  const locale = value('MAIL_LOCALE') ?? DEFAULT_MAIL_LOCALE;
  // Never echoed: the URL holds the SMTP password.
  if (smtpUrl !== null && !(URL.canParse(smtpUrl) && /^smtps?:$/.test(new URL(smtpUrl).protocol))) {
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@host:465.');
  }
  if (smtpUrl !== null && from === null) {
    problems.push(
      'MAIL_FROM is not set: the sender of invitee emails, e.g. "Acme <booking@acme.com>".',
    );
  }
  if (from !== null && !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(from)) {
    problems.push(`MAIL_FROM must be an email address or "Name <address>", got "${from}".`);
  }
  if (!isSupportedLocale(locale)) {
    problems.push(`MAIL_LOCALE must be a locale such as en-US or de-DE, got "${locale}".`);
  }
  const ccHost = flag('MAIL_CC_HOST');
  const includePasscode = flag('NOTIFY_INCLUDE_PASSCODE');
  return {
    webhookUrls,
    secret,
    includePasscode,
    mail:
      smtpUrl === null
        ? null
        : {
            smtpUrl,
            from: from ?? '',
            ccHost,
            templateDir: value('MAIL_TEMPLATE_DIR'),
            locale,
          },
  };
}

function isSupportedLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    // A malformed tag throws rather than coming back unsupported; either way it is unusable.
    return false;
  }
}

// --- The status page and the sandbox: docs/operations.md ---

export interface StatusConfig {
  /** STATUS_TOKEN: the status page at / is served only when set, and only to holders of it. */
  token: string | null;
}

/** Shorter tokens could be guessed; `openssl rand -hex 24` gives 48 characters. */
const MIN_STATUS_TOKEN_LENGTH = 24;

function loadStatusConfig(
  value: (name: string) => string | null,
  problems: string[],
): StatusConfig {
  const token = value('STATUS_TOKEN');
  // Never echoed: it is the page's only credential.
  if (token !== null && (token.length < MIN_STATUS_TOKEN_LENGTH || /[\s;,]/.test(token))) {
    problems.push(
      `STATUS_TOKEN must be at least ${MIN_STATUS_TOKEN_LENGTH} characters with no spaces, commas or semicolons (e.g. \`openssl rand -hex 24\`).`,
    );
  }
  return { token };
}

const ZOOM_CREDENTIAL_VARIABLES = [
  'ZOOM_ACCOUNT_ID',
  'ZOOM_CLIENT_ID',
  'ZOOM_CLIENT_SECRET',
] as const;

/** The real Zoom credentials set, by name: the sandbox never runs next to any of them. */
export function zoomCredentialsSet(env: Env): string[] {
  return ZOOM_CREDENTIAL_VARIABLES.filter((name) => (env[name]?.trim() ?? '') !== '');
}

const DEFAULT_SANDBOX_DIR = './data';

/** SANDBOX_DIR: where the sandbox keeps its SQLite file and what `trigger --sandbox` reads. */
export function sandboxDir(env: Env): string {
  return env.SANDBOX_DIR?.trim() || DEFAULT_SANDBOX_DIR;
}
