import type { AppConfig } from '../../config';
import { configuredChannels } from '../../notify/channels';
import type { Runtime } from '../../runtime';
import type { StartTimer } from '../../timer';
import { createStatusPages, type StatusPages } from './status-pages';

/** The status page `serve` runs: only with STATUS_TOKEN set, on the receiver's own store. */
export function statusPagesFor(
  config: AppConfig,
  runtime: Pick<Runtime, 'store' | 'calendly'>,
  options: { sandbox?: boolean; now?: () => number; startTimer?: StartTimer },
): StatusPages | undefined {
  if (config.status.token === null) return undefined;
  return createStatusPages({
    token: config.status.token,
    store: runtime.store,
    calendly: runtime.calendly,
    calendlyNotConfigured: options.sandbox
      ? 'the sandbox talks to no Calendly.'
      : 'CALENDLY_TOKEN is not set, so the subscription cannot be looked up.',
    notificationsOn: configuredChannels(config.notify).length > 0,
    storeKind: config.store.kind,
    sandbox: options.sandbox ?? false,
    now: options.now ?? Date.now,
    startTimer: options.startTimer,
  });
}
