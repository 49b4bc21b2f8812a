import { randomUUID } from 'node:crypto';
import { historyLine, type HistoryLine } from '../../bookings/booking-view';
import { listBookings } from '../../bookings/find-bookings';
import { OUTCOME_LABELS, shortTime } from '../../bookings/labels';
import type { InviteeEventKind } from '../../calendly/invitee-event';
import { buildSampleEvent, type SampleEventOptions } from '../../calendly/sample-events';
import { CALENDLY_SIGNATURE_HEADER, signCalendlyPayload } from '../../calendly/signature';
import { sandboxDir } from '../../config';
import {
  readSandboxState,
  sandboxFiles,
  SandboxNotRunningError,
  type SandboxState,
} from '../../sandbox/sandbox-files';
import type { AuditEntry, BookingRecord } from '../../store/booking-record';
import { SqliteBookingStore } from '../../store/sqlite';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../command';
import { printJson } from '../format';

export type SandboxTrigger = InviteeEventKind | 'reschedule';

export interface SandboxTriggerOptions {
  /** The Calendly host of a new booking (default: the sandbox's Zoom user). */
  host?: string;
  /** The booking to cancel or reschedule (default: the latest active one). */
  eventUuid?: string;
  inviteeUuid?: string;
  json: boolean;
}

/** What one sample delivery did, as the sandbox answered and recorded it. */
interface Sent {
  event: InviteeEventKind;
  eventUuid: string;
  inviteeUuid: string;
  status: number;
  outcome: string | null;
  message: string | null;
  /** The changes the delivery made to its booking, from the sandbox's store. */
  steps: HistoryLine[];
  joinUrl: string | null;
}

const SANDBOX_ANSWER_MS = 2_000;
/** Calendly's timeout: the sandbox answers far sooner. */
const SEND_TIMEOUT_MS = 15_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * `trigger … --sandbox`: signed sample deliveries to the running sandbox, and what each did to its
 * booking (the steps from the sandbox's store) with the meeting's join link. A reschedule is the
 * pair Calendly sends: the old booking cancelled as rescheduled, then the new one created.
 */
export async function triggerSandbox(
  what: SandboxTrigger,
  options: SandboxTriggerOptions,
  io: CliIo,
): Promise<number> {
  const files = sandboxFiles(sandboxDir(io.env));
  const state = await readSandboxState(files);
  await expectAnswering(state, io);
  const store = new SqliteBookingStore({ path: files.storePath, now: io.now });
  try {
    const sent: Sent[] = [];
    const deliver = async (sample: Omit<SampleEventOptions, 'now' | 'apiUrl'>) => {
      const result = await send(
        state,
        store,
        { ...sample, now: io.now(), apiUrl: state.calendlyApiUrl },
        io,
      );
      sent.push(result);
      if (!options.json) io.stdout(describe(result));
      return result;
    };
    if (what === 'invitee.created') {
      await deliver({
        kind: 'invitee.created',
        hostEmail: options.host ?? state.zoomUsers[0] ?? '',
      });
    } else {
      const target = await bookingToChange(store, options);
      if (target === null) {
        io.stderr(
          'SANDBOX  No active booking to change: send one first with ' +
            '`npx calendly-zoom trigger invitee.created --sandbox`.\n',
        );
        return EXIT_FAILURE;
      }
      const hostEmail = target.record.booking?.hostEmail ?? state.zoomUsers[0] ?? '';
      const same = { eventUuid: target.eventUuid, inviteeUuid: target.inviteeUuid, hostEmail };
      const start = Date.parse(target.record.startTime ?? '') || undefined;
      if (what === 'invitee.canceled') {
        await deliver({ kind: 'invitee.canceled', start, ...same });
      } else {
        const next = { eventUuid: randomUUID(), inviteeUuid: randomUUID() };
        const newUri = `${state.calendlyApiUrl}/scheduled_events/${next.eventUuid}/invitees/${next.inviteeUuid}`;
        await deliver({ kind: 'invitee.canceled', start, newInviteeUri: newUri, ...same });
        await deliver({
          kind: 'invitee.created',
          ...next,
          hostEmail,
          start: start === undefined ? undefined : start + DAY_MS,
          oldInviteeUri: target.inviteeUri,
        });
      }
    }
    if (options.json) printJson(io, { sandbox: true, deliveries: sent });
    return sent.every((s) => s.status >= 200 && s.status < 300) ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await store.close();
  }
}

async function send(
  state: SandboxState,
  store: SqliteBookingStore,
  options: SampleEventOptions,
  io: CliIo,
): Promise<Sent> {
  const sample = buildSampleEvent(options);
  const body = JSON.stringify(sample.body);
  const before = (await store.get(sample.eventUuid))?.audit ?? [];
  const sentAt = io.now();
  const response = await (io.fetch ?? globalThis.fetch)(state.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'calendly-zoom-trigger (sandbox)',
      [CALENDLY_SIGNATURE_HEADER]: signCalendlyPayload(
        body,
        state.signingKey,
        Math.floor(sentAt / 1000),
      ),
    },
    body,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const record = await store.get(sample.eventUuid);
  const steps = changesSince(before, record?.audit ?? []).map(historyLine);
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    event: options.kind,
    eventUuid: sample.eventUuid,
    inviteeUuid: sample.inviteeUuid,
    status: response.status,
    outcome: text(answer.outcome) ?? text(answer.error),
    message: text(answer.message),
    steps,
    // Only a meeting that is there to join: a cancellation's answer names the one it deleted.
    joinUrl: record?.status === 'active' ? (record.meeting?.joinUrl ?? null) : null,
  };
}

/**
 * The audit entries written after `before` was read: everything past its last entry (the trail is
 * bounded, so older entries may have dropped off the front meanwhile).
 */
function changesSince(before: readonly AuditEntry[], after: readonly AuditEntry[]): AuditEntry[] {
  const last = before.at(-1);
  if (last === undefined) return [...after];
  const same = (e: AuditEntry): boolean =>
    e.at === last.at && e.action === last.action && e.detail === last.detail;
  for (let i = after.length - 1; i >= 0; i--) {
    const entry = after[i];
    if (entry && same(entry)) return after.slice(i + 1);
  }
  return [...after];
}

/** Every line says SANDBOX: a terminal full of these must never be mistaken for production. */
function describe(sent: Sent): string {
  const lines = [
    `${sent.event} for booking ${sent.eventUuid}`,
    `  → HTTP ${sent.status} ${sent.outcome ?? ''}${sent.message ? `: ${sent.message}` : ''}`,
    ...sent.steps.map((s) => `    ${s.text}${s.outcome ? `  → ${OUTCOME_LABELS[s.outcome]}` : ''}`),
    ...(sent.joinUrl ? [`  Join link: ${sent.joinUrl}`] : []),
    `  More: npx calendly-zoom bookings show ${sent.eventUuid} --sandbox`,
    '',
  ];
  return lines.map((line) => `SANDBOX  ${line}`.trimEnd()).join('\n') + '\n';
}

/** The booking named by the options, else the latest active one in the sandbox. */
async function bookingToChange(
  store: SqliteBookingStore,
  options: SandboxTriggerOptions,
): Promise<{
  record: BookingRecord;
  eventUuid: string;
  inviteeUri: string;
  inviteeUuid: string;
} | null> {
  const record = options.eventUuid
    ? await store.get(options.eventUuid)
    : ((await listBookings(store, { statuses: ['active'], limit: 1 }))[0] ?? null);
  if (!record) return null;
  const inviteeUri =
    (options.inviteeUuid && `${record.eventUri}/invitees/${options.inviteeUuid}`) ||
    Object.entries(record.invitees).find(([, s]) => s === 'active')?.[0];
  const inviteeUuid = inviteeUri?.split('/').at(-1);
  return inviteeUri && inviteeUuid
    ? { record, eventUuid: record.eventUuid, inviteeUri, inviteeUuid }
    : null;
}

async function expectAnswering(state: SandboxState, io: CliIo): Promise<void> {
  try {
    const response = await (io.fetch ?? globalThis.fetch)(`${state.url}/healthz`, {
      signal: AbortSignal.timeout(SANDBOX_ANSWER_MS),
    });
    if (response.ok) return;
  } catch {
    // Reported below: a stopped sandbox and one that does not answer need the same remedy.
  }
  throw new SandboxNotRunningError(
    `The sandbox at ${state.url} (started ${shortTime(state.startedAt)}) does not answer. ` +
      'Start it again with `npm start` (or `npx calendly-zoom serve --sandbox`).',
  );
}
