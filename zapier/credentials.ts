import { ConfigError } from '../src/errors';
import type { ZoomCredentials } from '../src/zoom/token';
import { AUTH_FIELD, AUTH_FIELDS } from './auth-fields';

export interface Credentials {
  calendlyToken: string;
  zoom: ZoomCredentials;
  upstash: { url: string; token: string };
}

/**
 * The connection's values, checked. The only reader of `bundle.authData`: every step gets its
 * credentials from here, and a missing or malformed one is named by its label.
 */
export function readCredentials(authData: Readonly<Record<string, unknown>>): Credentials {
  const problems: string[] = [];
  const value = (key: string): string => {
    const raw = authData[key];
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '')
      problems.push(`${labelOf(key)} is empty: reconnect the account and fill it in.`);
    return text;
  };
  const credentials: Credentials = {
    calendlyToken: value(AUTH_FIELD.calendlyToken),
    zoom: {
      accountId: value(AUTH_FIELD.zoomAccountId),
      clientId: value(AUTH_FIELD.zoomClientId),
      clientSecret: value(AUTH_FIELD.zoomClientSecret),
    },
    upstash: {
      url: value(AUTH_FIELD.upstashUrl).replace(/\/+$/, ''),
      token: value(AUTH_FIELD.upstashToken),
    },
  };
  const { url } = credentials.upstash;
  if (url !== '' && !isSafeUpstashUrl(url)) {
    problems.push(
      // The value itself is not repeated: a token pasted into the wrong field would be shown.
      `${labelOf(AUTH_FIELD.upstashUrl)} must be the database's REST URL starting with https:// (https://….upstash.io): the token is sent with every request.`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return credentials;
}

function labelOf(key: string): string {
  return AUTH_FIELDS.find((field) => field.key === key)?.label ?? key;
}

/**
 * https only: the REST token rides on every request. Plain http is accepted on loopback alone,
 * where nothing crosses a network (local runs against a bridge or a fake).
 */
function isSafeUpstashUrl(url: string): boolean {
  return (
    /^https:\/\/[^/\s]+/i.test(url) ||
    /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url)
  );
}
