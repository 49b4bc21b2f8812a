import { loadConfig, zoomCredentialsSet, type AppConfig, type Env } from '../config';
import { CalendlyZoomError } from '../errors';
import type { ZoomCredentials } from './zoom-simulator';

/** The sandbox was asked for where it must not run: next to real credentials. */
export class SandboxRefusedError extends CalendlyZoomError {
  readonly kind = 'sandbox_refused';
}

export interface SandboxSettings {
  /** The simulated Zoom, on loopback. */
  zoom: { apiUrl: string; oauthUrl: string; credentials: ZoomCredentials };
  /** Sample bookings' URIs are under it; nothing answers there and nothing calls it. */
  calendlyApiUrl: string;
  signingKey: string;
  storePath: string;
  /** The status page's token (the user's STATUS_TOKEN, or one made for this run). */
  statusToken: string;
}

export interface SandboxConfig {
  config: AppConfig;
  /** Notification targets that were not on this machine, and so were turned off. */
  notificationsOff: number;
}

/**
 * What `serve --sandbox` runs on: the user's settings for how bookings are handled (reschedule
 * mode, topic, limits, port) and nothing that reaches out. Zoom and Calendly are loopback URLs,
 * the store is the sandbox's own SQLite file (never Upstash), no Calendly token, no default host
 * (so a booking for an unknown host shows what "needs attention" looks like), and notifications
 * only to consumers on this machine.
 */
export function sandboxConfig(env: Env, settings: SandboxSettings): SandboxConfig {
  const real = zoomCredentialsSet(env);
  if (real.length > 0) {
    throw new SandboxRefusedError(
      `The sandbox never runs next to real Zoom credentials, and ${real.join(', ')} ` +
        `${real.length === 1 ? 'is' : 'are'} set. Unset ${real.length === 1 ? 'it' : 'them'} ` +
        '(e.g. in .env) to try the sandbox, or run `calendly-zoom serve` for real.',
    );
  }
  const { credentials } = settings.zoom;
  const config = loadConfig(
    {
      ...env,
      ZOOM_ACCOUNT_ID: credentials.accountId,
      ZOOM_CLIENT_ID: credentials.clientId,
      ZOOM_CLIENT_SECRET: credentials.clientSecret,
      ZOOM_API_URL: settings.zoom.apiUrl,
      ZOOM_OAUTH_URL: settings.zoom.oauthUrl,
      ZOOM_DEFAULT_HOST: undefined,
      CALENDLY_SIGNING_KEY: settings.signingKey,
      CALENDLY_API_URL: settings.calendlyApiUrl,
      CALENDLY_TOKEN: undefined,
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
      STORE_PATH: settings.storePath,
      STATUS_TOKEN: settings.statusToken,
    },
    { signingKey: true, zoom: true },
  );
  const webhookUrls = config.notify.webhookUrls.filter(isLoopbackUrl);
  const mail =
    config.notify.mail && isLoopbackUrl(config.notify.mail.smtpUrl) ? config.notify.mail : null;
  const notificationsOff =
    config.notify.webhookUrls.length - webhookUrls.length + (config.notify.mail && !mail ? 1 : 0);
  return {
    config: { ...config, notify: { ...config.notify, webhookUrls, mail } },
    notificationsOff,
  };
}

/** On this machine: 127.0.0.0/8, ::1 or localhost. */
function isLoopbackUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * fetch that refuses anything but loopback: whatever the configuration, a sandbox never sends a
 * byte to a real service.
 */
export function loopbackOnlyFetch(fetchImpl: typeof fetch | undefined): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!isLoopbackUrl(url)) {
      const where = URL.canParse(url) ? new URL(url).origin : 'that address';
      return Promise.reject(new SandboxRefusedError(`The sandbox does not call ${where}.`));
    }
    return (fetchImpl ?? globalThis.fetch)(input, init);
  };
}
