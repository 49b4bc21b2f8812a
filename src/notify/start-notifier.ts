import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MailConfig, NotifyConfig } from '../config';
import type { Logger } from '../log';
import type { BookingStore } from '../store/booking-store';
import type { NotificationOutbox, OutboxItem } from '../store/outbox';
import { configuredChannels, EMAIL_CHANNEL, webhookUrlOf } from './channels';
import { createDispatcher, type DispatcherOptions } from './dispatcher';
import { createEmailSender, smtpSendMail, type EmailSender, type SendMail } from './email-sender';
import { composeMail } from './mail-message';
import {
  EMAIL_NOTICE_TYPES,
  loadMailTemplates,
  type EmailNoticeType,
  type MailTemplates,
} from './mail-templates';
import type { SendOutcome } from './send-outcome';
import { watchChanges } from './watch-changes';
import { createWebhookSender, type WebhookSender } from './webhook-sender';

export interface NotifierOptions {
  log: Logger;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  webhookTimeoutMs?: number;
  /** Tuning for tests and benchmarks; the defaults are documented in docs/notifications.md. */
  dispatcher?: Partial<
    Pick<
      DispatcherOptions,
      'owner' | 'leaseMs' | 'concurrency' | 'pollMs' | 'policy' | 'closeTimeoutMs' | 'timer'
    >
  >;
}

export interface Notifier {
  /** `store` as the lifecycle should use it: every change wakes the dispatcher at once. */
  watch<S extends BookingStore>(store: S): S;
  /** Stops the dispatcher (sends in flight finish first, within a bound) and the SMTP transport. */
  close(): Promise<void>;
}

/**
 * The notifications half of `serve`: a dispatcher draining the outbox to the configured webhook
 * URLs and SMTP server. Without any configured channel nothing runs (and nothing is queued).
 * Throws ConfigError when MAIL_TEMPLATE_DIR holds a bad template.
 */
export function startNotifier(
  config: NotifyConfig,
  outbox: NotificationOutbox,
  options: NotifierOptions,
): Notifier {
  if (configuredChannels(config).length === 0) {
    return { watch: (store) => store, close: async () => undefined };
  }
  const webhook =
    config.secret === null
      ? null
      : createWebhookSender({
          secret: config.secret,
          includePasscode: config.includePasscode,
          fetch: options.fetch,
          now: options.now,
          timeoutMs: options.webhookTimeoutMs,
        });
  // Templates first: a bad one stops start-up before anything is opened.
  const templates = config.mail && loadMailTemplates(config.mail.templateDir);
  const smtp = config.mail && smtpSendMail(config.mail.smtpUrl, config.mail.from);
  const email =
    config.mail && templates && smtp
      ? emailSender(config.mail, templates, config.includePasscode, smtp.send)
      : null;

  const dispatcher = createDispatcher({
    outbox,
    send: (item) => route(item, config, webhook, email),
    log: options.log,
    owner: `${hostname()}:${process.pid}:${randomUUID()}`,
    now: options.now,
    random: options.random,
    ...options.dispatcher,
  });
  return {
    watch: (store) => watchChanges(store, dispatcher.wake),
    async close() {
      await dispatcher.close();
      smtp?.close();
    },
  };
}

function emailSender(
  mail: MailConfig,
  templates: MailTemplates,
  includePasscode: boolean,
  send: SendMail,
): EmailSender {
  return createEmailSender({
    sendMail: send,
    compose: (notice) =>
      isEmailNotice(notice.type)
        ? composeMail(
            { ...notice, type: notice.type },
            { templates, locale: mail.locale, includePasscode, ccHost: mail.ccHost },
          )
        : null,
  });
}

/** An item goes out only on a channel still configured: removing a URL stops deliveries to it. */
async function route(
  item: OutboxItem,
  config: NotifyConfig,
  webhook: WebhookSender | null,
  email: EmailSender | null,
): Promise<SendOutcome> {
  if (item.channel === EMAIL_CHANNEL) {
    return email ? email(item.notice) : { type: 'give_up', error: 'SMTP_URL is no longer set' };
  }
  const url = webhookUrlOf(item.channel);
  if (url === null) return { type: 'give_up', error: 'unknown channel' };
  if (!webhook || !config.webhookUrls.includes(url)) {
    return { type: 'give_up', error: 'NOTIFY_URLS no longer lists this URL' };
  }
  return (await webhook(url, item.notice)).outcome;
}

function isEmailNotice(type: string): type is EmailNoticeType {
  return (EMAIL_NOTICE_TYPES as readonly string[]).includes(type);
}
