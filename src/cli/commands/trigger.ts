import { readFile } from 'node:fs/promises';
import { parseInviteeEvent, type InviteeEventKind } from '../../calendly/invitee-event';
import { buildSampleEvent } from '../../calendly/sample-events';
import { CALENDLY_SIGNATURE_HEADER, signCalendlyPayload } from '../../calendly/signature';
import { loadConfig } from '../../config';
import { CalendlyZoomError } from '../../errors';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command';
import { printJson } from '../format';
import { triggerSandbox } from './trigger-sandbox';

const KINDS: readonly InviteeEventKind[] = ['invitee.created', 'invitee.canceled'];
/** Longer than Calendly's 15 s read timeout: the point is to see what the receiver answers. */
const SEND_TIMEOUT_MS = 20_000;
const PLACEHOLDER_HOST = 'host@example.com';
const ID = /^[A-Za-z0-9-]+$/;

const HELP = `Usage: calendly-zoom trigger <invitee.created|invitee.canceled> --url URL [options]
       calendly-zoom trigger <invitee.created|invitee.canceled|reschedule> --sandbox [options]

Sends a correctly signed Calendly event to a receiver or a Make webhook, the fastest way to test a
set-up end to end. The sample is a Calendly API v2 booking starting tomorrow, with a custom location
(no Zoom link of its own, so a meeting is made), and fresh random UUIDs each run.

Options:
  --url URL              Where to send it: the receiver's /webhooks/calendly or a Make webhook URL
  --from-file FILE       Send this file's exact bytes instead of a sample (the event name may then
                         be left out)
  --signing-key KEY      Sign with KEY (default: the first key of CALENDLY_SIGNING_KEY)
  --event-uuid UUID      Scheduled event UUID of the sample, e.g. to cancel a booking sent before
  --invitee-uuid UUID    Invitee UUID of the sample (with --event-uuid)
  --host EMAIL           Calendly host of the sample (default: ZOOM_DEFAULT_HOST, else ${PLACEHOLDER_HOST})
  --json                 Machine-readable output on stdout
  -h, --help             Show this help

With --sandbox (the sandbox \`npm start\` or \`calendly-zoom serve --sandbox\` runs, found
through SANDBOX_DIR, default ./data): signed with the sandbox's key, and each delivery is shown
with the steps it made the booking go through and the meeting's join link.
  invitee.created        A new booking (--host EMAIL: a host the simulated Zoom does not
                         know, to see a booking that needs attention)
  invitee.canceled       Cancels the latest active booking (or --event-uuid/--invitee-uuid)
  reschedule             Reschedules it one day later: the pair Calendly sends, the old
                         booking cancelled as rescheduled, then the new one created

Exit code 0 when the URL answers 2xx, 1 otherwise.
`;

/** The event never got an answer: connection refused, DNS, timeout. */
export class DeliveryError extends CalendlyZoomError {
  readonly kind = 'delivery';
}

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'Send a signed sample Calendly event to a receiver or a Make webhook',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'from-file': { type: 'string' },
        'signing-key': { type: 'string' },
        'event-uuid': { type: 'string' },
        'invitee-uuid': { type: 'string' },
        host: { type: 'string' },
        json: { type: 'boolean', default: false },
        sandbox: { type: 'boolean', default: false },
      },
    });
    const [kindArg, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    if (values.sandbox) {
      if (values.url !== undefined || values['from-file'] !== undefined || values['signing-key']) {
        throw new UsageError(
          '--sandbox sends samples to the running sandbox with its own key: leave out --url, --from-file and --signing-key.',
        );
      }
      if (kindArg !== 'reschedule' && !(KINDS as readonly string[]).includes(kindArg ?? '')) {
        throw new UsageError('Name what to send: invitee.created, invitee.canceled or reschedule.');
      }
      return triggerSandbox(
        kindArg as InviteeEventKind | 'reschedule',
        {
          host: values.host,
          eventUuid: values['event-uuid'],
          inviteeUuid: values['invitee-uuid'],
          json: values.json,
        },
        io,
      );
    }
    const file = values['from-file'];
    if (kindArg === undefined && file === undefined) {
      throw new UsageError('Name the event to send: invitee.created or invitee.canceled.');
    }
    if (kindArg !== undefined && !(KINDS as readonly string[]).includes(kindArg)) {
      throw new UsageError(
        `"${kindArg}" is not an event trigger sends: use ${KINDS.join(' or ')}.`,
      );
    }
    const kind = kindArg as InviteeEventKind | undefined;
    if (values.url === undefined) throw new UsageError('trigger needs --url.');
    const url = httpUrl(values.url);
    for (const flag of ['event-uuid', 'invitee-uuid'] as const) {
      const v = values[flag];
      if (v !== undefined && !ID.test(v)) throw new UsageError(`--${flag} "${v}" is not a UUID.`);
    }
    if (file !== undefined && (values['event-uuid'] || values['invitee-uuid'] || values.host)) {
      throw new UsageError(
        '--event-uuid, --invitee-uuid and --host shape the sample; a --from-file body is sent as it is.',
      );
    }
    const givenKey = values['signing-key'];
    if (givenKey !== undefined && givenKey.trim() === '') {
      throw new UsageError('--signing-key is empty.');
    }

    const config = loadConfig(io.env, { signingKey: givenKey === undefined });
    // loadConfig has thrown when no key is configured and none was given.
    const signingKey = givenKey ?? config.calendly.signingKeys[0] ?? '';

    let body: Buffer;
    let ids: { eventUuid: string | null; inviteeUuid: string | null };
    let event: string;
    if (file !== undefined) {
      body = await readBody(file);
      const parsed = identify(body);
      if (kind !== undefined && parsed.event !== null && parsed.event !== kind) {
        throw new UsageError(`${file} holds a ${parsed.event} event, not ${kind}.`);
      }
      event = parsed.event ?? kind ?? 'unknown';
      ids = { eventUuid: parsed.eventUuid, inviteeUuid: parsed.inviteeUuid };
    } else {
      const defaultHost = config.lifecycle.defaultHost;
      const sample = buildSampleEvent({
        // Checked above: without a file the event name is required.
        kind: kind ?? 'invitee.created',
        now: io.now(),
        eventUuid: values['event-uuid'],
        inviteeUuid: values['invitee-uuid'],
        hostEmail:
          values.host ?? (defaultHost && defaultHost !== 'me' ? defaultHost : PLACEHOLDER_HOST),
        // A receiver accepts only URIs under its CALENDLY_API_URL: the sample names the same one.
        apiUrl: config.calendly.apiUrl,
      });
      body = Buffer.from(JSON.stringify(sample.body));
      ids = { eventUuid: sample.eventUuid, inviteeUuid: sample.inviteeUuid };
      event = kind ?? 'invitee.created';
    }

    const signature = signCalendlyPayload(body, signingKey, Math.floor(io.now() / 1000));
    const response = await send(url, body, signature, io);
    const shown = redactStartUrls(response.body);
    const ok = response.status >= 200 && response.status < 300;

    if (values.json) {
      printJson(io, { event, url, ...ids, status: response.status, ok, body: asJson(shown) });
    } else {
      const what = ids.eventUuid
        ? `${event} (event ${ids.eventUuid}, invitee ${ids.inviteeUuid ?? '?'})`
        : event;
      io.stdout(`Sent ${what} to ${url}: HTTP ${response.status}\n`);
      if (shown.trim() !== '') io.stdout(`${shown.replace(/\n?$/, '\n')}`);
      if (ok && file === undefined && event === 'invitee.created') {
        io.stdout(
          `To cancel this booking: calendly-zoom trigger invitee.canceled --url ${url} ` +
            `--event-uuid ${ids.eventUuid} --invitee-uuid ${ids.inviteeUuid}\n`,
        );
      }
    }
    if (ok) return EXIT_OK;
    io.stderr(`${url} answered HTTP ${response.status}${hint(response.status)}\n`);
    return EXIT_FAILURE;
  },
};

async function send(
  url: string,
  body: Buffer,
  signature: string,
  io: { fetch?: typeof fetch; signal?: AbortSignal },
): Promise<{ status: number; body: string }> {
  // fetch rather than the HTTP port: the port carries string bodies, and a --from-file body must
  // go out byte for byte as it was signed.
  const doFetch = io.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS);
  try {
    const response = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'calendly-zoom-trigger',
        [CALENDLY_SIGNATURE_HEADER]: signature,
      },
      body,
      signal: io.signal ? AbortSignal.any([io.signal, timeout]) : timeout,
    });
    return { status: response.status, body: await response.text() };
  } catch (cause) {
    const detail = describe(cause);
    throw new DeliveryError(`Could not deliver the event to ${url}: ${detail}.`, { cause });
  }
}

/** What the receiver's status usually means for someone testing a set-up. */
function hint(status: number): string {
  if (status === 401) {
    return ': the signature was refused. The receiver must hold the same signing key as the one used here (--signing-key, or CALENDLY_SIGNING_KEY), and both clocks must be right.';
  }
  if (status === 400) return ': the receiver did not accept the body as a Calendly invitee event.';
  if (status === 404)
    return ': nothing listens at that path (the receiver takes POST /webhooks/calendly).';
  if (status === 503)
    return ': the receiver is up but could not finish the work now (Zoom or the store); Calendly would retry.';
  return '.';
}

/**
 * A meeting's start_url logs whoever holds it in as the host. Receivers should not echo it, but a
 * test tool must not print it if one does.
 */
export function redactStartUrls(text: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(text) as unknown), null, 2);
  } catch {
    return text.replace(/https?:\/\/[^\s"'<>]*[?&]zak=[^\s"'<>]*/gi, '[redacted start_url]');
  }
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      /^start_?url$/i.test(k) && v !== null ? '[redacted]' : redact(v),
    ]),
  );
}

function asJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (cause) {
    throw new UsageError(`--from-file: cannot read ${file} (${describe(cause)}).`, { cause });
  }
}

/** The ids in a given body, for the report; a body the parser rejects is still sent as it is. */
function identify(body: Buffer): {
  event: string | null;
  eventUuid: string | null;
  inviteeUuid: string | null;
} {
  try {
    const parsed = parseInviteeEvent(body);
    return { event: parsed.kind, eventUuid: parsed.eventUuid, inviteeUuid: parsed.inviteeUuid };
  } catch {
    // Deliberately sending a broken body is a valid test of the receiver's 400.
    return { event: null, eventUuid: null, inviteeUuid: null };
  }
}

function httpUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw;
  } catch {
    // Reported below, as for any other scheme.
  }
  throw new UsageError(`--url must be an http(s) URL, got "${raw}".`);
}

/**
 * fetch says "fetch failed"; the useful part (ECONNREFUSED, timeout) is in its cause. Read by
 * field, not instanceof: the error may come from another realm (jest, vm).
 */
function describe(error: unknown): string {
  const field = (e: unknown, name: string): string | null => {
    const v = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : null;
    return typeof v === 'string' ? v : null;
  };
  if (field(error, 'name') === 'TimeoutError')
    return `no answer within ${SEND_TIMEOUT_MS / 1000} s`;
  const message = field(error, 'message') ?? String(error);
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : null;
  const code = field(error, 'code') ?? field(cause, 'code');
  return code ? `${message} (${code})` : message;
}
