import { urlByOrigin } from '../url-by-origin';
import type { NotifyConfig } from '../config';
import type { Channel } from '../store/outbox';

export const EMAIL_CHANNEL: Channel = 'email';
const WEBHOOK_PREFIX = 'webhook:';

/** The channels the store expands every notice into: one per consumer URL, and email with SMTP. */
export function configuredChannels(config: NotifyConfig): Channel[] {
  return [
    ...config.webhookUrls.map((url) => `${WEBHOOK_PREFIX}${url}`),
    ...(config.mail ? [EMAIL_CHANNEL] : []),
  ];
}

/** The consumer URL of a webhook channel; null for any other channel. */
export function webhookUrlOf(channel: Channel): string | null {
  return channel.startsWith(WEBHOOK_PREFIX) ? channel.slice(WEBHOOK_PREFIX.length) : null;
}

/** A channel as logs and the CLI show it: a consumer URL only by its origin. */
export function describeChannel(channel: Channel): string {
  const url = webhookUrlOf(channel);
  return url === null ? channel : `${WEBHOOK_PREFIX}${urlByOrigin(url)}`;
}
