import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../src/config';
import { generateWebhookSecret } from '../../src/notify/secret';
import { startReceiver, type RunningReceiver } from '../../src/server/start-receiver';
import { buildInviteeCanceled, buildInviteeCreated } from '../support/calendly-payloads';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';
import { deliver } from '../support/http-request';
import {
  startNotificationConsumer,
  type NotificationConsumer,
  type VerifiedDelivery,
} from '../support/notification-consumer';
import {
  startSmtpTestServer,
  type ReceivedMail,
  type SmtpTestServer,
} from '../support/smtp-test-server';
import {
  captureLogs,
  keepNetworkLocal,
  leakedSecrets,
  newBooking,
  noSleep,
  secretsOf,
  SIGNING_KEY,
  type LogCapture,
} from './e2e-kit';

// `calendly-zoom serve` as the e2e tests run it (SQLite store, real HTTP), with notifications on:
// a real consumer on 127.0.0.1 verifying with the standardwebhooks package, and a real SMTP
// server whose messages are parsed with mailparser.

keepNetworkLocal();

const NOTIFY_SECRET = generateWebhookSecret();
/** Retries within the test's time: the schedule's shape, not its day-long length. */
const FAST = {
  pollMs: 200,
  policy: { firstDelayMs: 50, maxDelayMs: 200, keepTryingMs: 60_000 },
  leaseMs: 2_000,
};

let zoom: FakeZoomServer;
let consumer: NotificationConsumer;
let smtp: SmtpTestServer;
let dir: string;
let logs: LogCapture;
let receiver: RunningReceiver;

function env(extra: Env = {}): Env {
  return {
    ...zoom.env(),
    CALENDLY_SIGNING_KEY: SIGNING_KEY,
    STORE_PATH: join(dir, 'bookings.db'),
    NOTIFY_URLS: consumer.url,
    NOTIFY_SECRET,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Acme Bookings <bookings@acme.example>',
    ...extra,
  };
}

async function start(extra: Env = {}): Promise<RunningReceiver> {
  const config = loadConfig(env(extra), { signingKey: true, zoom: true });
  return startReceiver(config, {
    log: logs.log,
    port: 0,
    sleep: noSleep,
    notify: { dispatcher: FAST },
  });
}

beforeEach(async () => {
  zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  consumer = await startNotificationConsumer({ secret: NOTIFY_SECRET });
  smtp = await startSmtpTestServer();
  dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-notify-e2e-'));
  logs = captureLogs();
  receiver = await start();
});

afterEach(async () => {
  await receiver.close();
  await Promise.all([zoom.close(), consumer.close(), smtp.close()]);
  rmSync(dir, { recursive: true, force: true });
  const secrets = secretsOf(zoom, [
    NOTIFY_SECRET,
    NOTIFY_SECRET.slice(6),
    smtp.password,
    '/hooks/',
  ]);
  expect(leakedSecrets(logs.lines, secrets)).toEqual([]);
});

async function post(body: unknown): Promise<Record<string, unknown>> {
  const res = await deliver(receiver.url, body, { signingKey: SIGNING_KEY });
  expect(res.status).toBe(200);
  return res.body;
}

const ofType = (type: string, eventUuid?: string) => (d: VerifiedDelivery) =>
  d.payload.type === type &&
  (eventUuid === undefined ||
    (d.payload.data.booking as { eventUuid: string }).eventUuid === eventUuid);

/** The calendar part of an email, with folded lines joined. */
function calendarOf(mail: ReceivedMail | undefined): string {
  const part = mail?.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  return (part?.content.toString('utf8') ?? '').replace(/\r\n[ \t]/g, '');
}

describe('notifications from calendly-zoom serve', () => {
  it('a booking: a signed meeting.created with the meeting at the configured URL', async () => {
    const booking = newBooking();
    const answer = await post(buildInviteeCreated(booking));
    const [meeting] = zoom.liveMeetings();

    const [delivery] = await consumer.waitFor(1, ofType('meeting.created'));
    expect(delivery?.payload.data).toMatchObject({
      booking: {
        eventUuid: booking.eventUuid,
        startTime: expect.stringMatching(/^2026-03-10T14:00:00/),
      },
      meeting: { id: answer.meetingId, joinUrl: meeting?.joinUrl, host: 'host@example.com' },
    });
    expect(delivery?.webhookId).toMatch(/^[^.]+$/);
    expect(JSON.stringify(delivery?.payload)).not.toMatch(/zak=|start_?url/i);
  });

  it('a cancellation: meeting.deleted "cancelled", after the meeting.created it follows', async () => {
    const booking = newBooking();
    const { meetingId } = await post(buildInviteeCreated(booking));
    await post(buildInviteeCanceled(booking));

    const [deleted] = await consumer.waitFor(1, ofType('meeting.deleted'));
    expect(deleted?.payload.data).toMatchObject({
      reason: 'cancelled',
      meeting: { id: meetingId },
    });
    expect(consumer.deliveries.map((d) => d.payload.type)).toEqual([
      'meeting.created',
      'meeting.deleted',
    ]);
  });

  it('a reschedule (recreate): meeting.deleted "superseded" for the old booking, meeting.created for the new', async () => {
    const old = newBooking();
    const next = newBooking();
    await post(buildInviteeCreated(old));
    await post(buildInviteeCanceled({ ...old, newInvitee: next }));
    await post(buildInviteeCreated({ ...next, oldInvitee: old, start: '2026-03-11T09:00:00Z' }));

    const [deleted] = await consumer.waitFor(1, ofType('meeting.deleted', old.eventUuid));
    expect(deleted?.payload.data.reason).toBe('superseded');
    const [created] = await consumer.waitFor(1, ofType('meeting.created', next.eventUuid));
    expect((created?.payload.data.booking as { startTime: string }).startTime).toMatch(
      /^2026-03-11T09:00:00/,
    );
  });

  it('a reschedule in move mode: meeting.moved with the same meeting and where it was before', async () => {
    await receiver.close();
    receiver = await start({ RESCHEDULE_MODE: 'move' });
    const old = newBooking();
    const next = newBooking();
    const { meetingId } = await post(buildInviteeCreated(old));
    await post(buildInviteeCanceled({ ...old, newInvitee: next }));
    await post(buildInviteeCreated({ ...next, oldInvitee: old, start: '2026-03-11T09:00:00Z' }));

    const [moved] = await consumer.waitFor(1, ofType('meeting.moved'));
    expect(moved?.payload.data).toMatchObject({
      meeting: { id: meetingId },
      previous: { startTime: expect.stringMatching(/^2026-03-10T14:00:00/), durationMinutes: 30 },
      booking: { startTime: expect.stringMatching(/^2026-03-11T09:00:00/) },
    });
  });

  it('a consumer failing for a while delays the notifications but loses none, in order', async () => {
    consumer.fail(503);
    const bookings = [newBooking(), newBooking(), newBooking()];
    for (const b of bookings) await post(buildInviteeCreated(b));
    await post(buildInviteeCanceled(bookings[0]!));
    await waitUntil(() => consumer.requests.length >= 6);
    consumer.recover();

    const delivered = await consumer.waitFor(4);
    expect(delivered.map((d) => d.payload.type).sort()).toEqual([
      'meeting.created',
      'meeting.created',
      'meeting.created',
      'meeting.deleted',
    ]);
    // Every refused attempt was retried under the same webhook-id, which was delivered once.
    const refused = new Set(
      consumer.requests.filter((r) => r.status === 503).map((r) => r.webhookId),
    );
    expect([...refused].every((id) => delivered.some((d) => d.webhookId === id))).toBe(true);
    expect(new Set(delivered.map((d) => d.webhookId)).size).toBe(4);
    const first = bookings[0]!.eventUuid;
    expect(
      delivered
        .filter((d) => ofType('meeting.created', first)(d) || ofType('meeting.deleted', first)(d))
        .map((d) => d.payload.type),
    ).toEqual(['meeting.created', 'meeting.deleted']);
  });

  it('a restart sends what was pending, with the same webhook-id', async () => {
    consumer.fail(503);
    await post(buildInviteeCreated(newBooking()));
    await waitUntil(() => consumer.requests.length >= 1);
    const refusedId = consumer.requests[0]?.webhookId;
    await receiver.close();

    consumer.recover();
    receiver = await start();
    const [delivery] = await consumer.waitFor(1);
    expect(delivery?.webhookId).toBe(refusedId);
  });

  it('a booking: an email to the invitee with the join link and an .ics invitation; a cancellation cancels the same entry', async () => {
    const booking = newBooking();
    const { meetingId } = await post(buildInviteeCreated(booking));
    const [meeting] = zoom.liveMeetings();
    const [mail] = await smtp.waitFor(1);
    expect(mail?.parsed.text).toContain(String(meeting?.joinUrl));
    expect(calendarOf(mail)).toContain('METHOD:REQUEST');
    expect(calendarOf(mail)).toContain(`UID:zoom-meeting-${String(meetingId)}@calendly-zoom`);
    expect(calendarOf(mail)).toContain('SEQUENCE:0');

    await post(buildInviteeCanceled(booking));
    const mails = await smtp.waitFor(2);
    const ics = calendarOf(mails[1]);
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain(`UID:zoom-meeting-${String(meetingId)}@calendly-zoom`);
    expect(ics).toMatch(/SEQUENCE:[1-9]/);
  });

  it('a booking the engine cannot serve: booking.needs_attention with the fix, and no email', async () => {
    const res = await deliver(
      receiver.url,
      buildInviteeCreated({ ...newBooking(), hostEmail: 'nobody@example.com' }),
      { signingKey: SIGNING_KEY },
    );
    expect(res.status).toBe(500);
    const [attention] = await consumer.waitFor(1, ofType('booking.needs_attention'));
    expect(attention?.payload.data).toMatchObject({
      meeting: null,
      attention: {
        reason: 'host_without_zoom_user',
        fix: expect.stringContaining('ZOOM_DEFAULT_HOST'),
      },
    });
    expect(smtp.messages).toEqual([]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
