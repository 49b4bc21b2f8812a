// The lifecycle suite, run through the Make scenario: the generated blueprint executed by the
// simulator against the fake Zoom over HTTP, deliveries signed as Calendly signs them. Every case
// of the receiver's end-to-end suite, in both reschedule modes, and each once more with Make's
// undocumented behaviours played the pessimistic way (routes in reverse order, non-atomic inserts,
// "Get a record" of a missing key stopping the path). After each: live meetings = bookings that
// should have one, and the operations each delivery used.

import { buildInviteeCreated } from '../support/calendly-payloads';
import { startFakeZoomServer, zoomFaults } from '../support/fake-zoom-server';
import { createFetchHttpClient } from '../../src/http';
import { resolveBlueprintOptions } from '../../src/make/options';
import { keepNetworkLocal } from '../e2e/e2e-kit';
import { OPERATION_TARGETS, measureOperations } from '../../src/make/measure-operations';
import type { MakeInterpretation } from '../../src/make/simulator';
import {
  SIGNING_KEY,
  joining,
  moduleNamed,
  newBooking,
  rescheduleLinks,
  startMakeKit,
  type Booking,
  type KitOptions,
  type MakeKit,
} from './make-kit';

keepNetworkLocal();

const { junk: JUNK_OPS, booking: BOOKING_OPS } = OPERATION_TARGETS;
/** The dearest path: a move-mode reschedule, create first, whose meeting is gone (PATCH 404). */
const MOST_OPS = 10;
/** Move-mode paths over the target, each explained in docs/make.md (Limits). */
const MOVE_OVER_TARGET = [
  ['Reschedule (move), create first: the new booking', 10],
  ['Reschedule (move), one invitee of several, create first: the new booking', 9],
  ["Reschedule (move), into an event with a meeting of its own: the old booking's cancel", 9],
];
const HOUR = 3_600_000;

const PESSIMISTIC: Partial<MakeInterpretation> = {
  routeOrder: 'reversed',
  atomicAdd: false,
  addExistingKey: 'ignore',
  getMissingRecord: 'no-bundle',
  updateMissingRecord: 'ignore',
  stoppedRunWrites: 'lost',
};

const outcome = (result: { body: string }): unknown =>
  (JSON.parse(result.body) as { outcome?: unknown }).outcome;

describe.each([
  ['recreate', 'as documented', {}],
  ['move', 'as documented', {}],
  ['recreate', 'pessimistic', PESSIMISTIC],
  ['move', 'pessimistic', PESSIMISTIC],
] as const)('the Make scenario, reschedule %s, Make played %s', (reschedule, _, interpretation) => {
  let kit: MakeKit;
  const start = async (options: KitOptions = {}): Promise<MakeKit> => {
    await kit.close();
    kit = await startMakeKit({
      ...options,
      blueprint: { reschedule, ...options.blueprint },
      interpretation,
    });
    return kit;
  };

  beforeEach(async () => {
    kit = await startMakeKit({ blueprint: { reschedule }, interpretation });
  });
  afterEach(async () => {
    await kit.zoom.idle();
    // Whatever happened, nothing was parked, and no run cost more than the dearest path.
    expect(kit.sim.incompleteExecutions()).toEqual([]);
    for (const run of kit.sim.runs()) expect(run.operations).toBeLessThanOrEqual(MOST_OPS);
    await kit.close();
  });

  describe('invitee.created', () => {
    it('makes one meeting for a new booking and answers 200 created', async () => {
      const b = newBooking();
      const result = await kit.created(b);
      expect([result.status, outcome(result)]).toEqual([200, 'created']);
      expect(result.operations).toBeLessThanOrEqual(BOOKING_OPS);
      kit.expectMeetingsFor([b]);
      expect(kit.bookings()[b.eventUuid]).toMatchObject({
        status: 'active',
        invitees: `,${b.inviteeUuid},`,
      });
    });

    it('answers the same delivery again with the stored meeting, making nothing', async () => {
      const b = newBooking();
      const first = await kit.created(b);
      const again = await kit.created(b);
      expect(outcome(again)).toBe('duplicate');
      expect(JSON.parse(again.body).meeting_id).toBe(JSON.parse(first.body).meeting_id);
      expect(kit.zoom.requestsTo('createMeeting')).toHaveLength(1);
      kit.expectMeetingsFor([b]);
    });

    it('makes one meeting for two racing deliveries of one booking (sequential processing)', async () => {
      const b = newBooking();
      const results = await Promise.all([kit.created(b), kit.created(b), kit.created(b)]);
      expect(results.map(outcome).sort()).toEqual(['created', 'duplicate', 'duplicate']);
      kit.expectMeetingsFor([b]);
    });

    it('skips a booking that already carries a Zoom link made by Calendly', async () => {
      const b = newBooking();
      const result = await kit.created(b, {
        location: { type: 'zoom', join_url: 'https://us02web.zoom.us/j/1', status: 'pushed' },
      });
      expect(outcome(result)).toBe('skipped_native_zoom');
      kit.expectMeetingsFor([]);
    });
  });

  describe('invitee.canceled', () => {
    it('deletes the meeting and answers 200 cancelled', async () => {
      const b = newBooking();
      await kit.created(b);
      const result = await kit.canceled(b);
      expect([result.status, outcome(result)]).toEqual([200, 'cancelled']);
      expect(result.operations).toBeLessThanOrEqual(BOOKING_OPS);
      kit.expectMeetingsFor([]);
      expect(kit.bookings()[b.eventUuid]).toMatchObject({
        status: 'cancelled',
        canceled: `,${b.inviteeUuid},`,
      });
    });

    it('before its invitee.created leaves a tombstone, and the late create makes nothing', async () => {
      const b = newBooking();
      expect(outcome(await kit.canceled(b))).toBe('tombstoned');
      expect(outcome(await kit.created(b))).toBe('tombstoned');
      expect(kit.zoom.requestsTo('createMeeting')).toHaveLength(0);
      kit.expectMeetingsFor([]);
    });

    it('counts a meeting already gone from Zoom (404) as deleted', async () => {
      const b = newBooking();
      const created = JSON.parse((await kit.created(b)).body) as { meeting_id: string };
      kit.zoom.failNext('deleteMeeting', {
        type: 'respond',
        status: 404,
        body: { code: 3001, message: `Meeting does not exist: ${created.meeting_id}.` },
      });
      expect(outcome(await kit.canceled(b))).toBe('already_gone');
      expect(kit.bookings()[b.eventUuid]?.status).toBe('cancelled');
    });
  });

  describe('group events', () => {
    it('adds a second invitee to the meeting the first one has', async () => {
      const a = newBooking();
      const b = joining(a);
      const first = await kit.created(a, { seats: { active: 1, limit: 5 } });
      const second = await kit.created(b, { seats: { active: 2, limit: 5 } });
      expect(outcome(second)).toBe('duplicate');
      expect(JSON.parse(second.body).meeting_id).toBe(JSON.parse(first.body).meeting_id);
      kit.expectMeetingsFor([a]);
    });

    it('keeps the meeting when one invitee cancels and others remain, deletes it with the last', async () => {
      const a = newBooking();
      const b = joining(a);
      await kit.created(a);
      await kit.created(b);
      expect(outcome(await kit.canceled(a))).toBe('kept_for_other_invitees');
      kit.expectMeetingsFor([b]);
      expect(outcome(await kit.canceled(b))).toBe('cancelled');
      kit.expectMeetingsFor([]);
    });

    it('gives a new invitee a new meeting after everyone cancelled (not the deleted one)', async () => {
      const a = newBooking();
      await kit.created(a);
      const gone = JSON.parse((await kit.created(a)).body).meeting_id as string;
      await kit.canceled(a);
      const c = joining(a);
      const result = await kit.created(c);
      expect(outcome(result)).toBe('created');
      expect(JSON.parse(result.body).meeting_id).not.toBe(gone);
      kit.expectMeetingsFor([c]);
    });

    it("does not let one invitee's early cancel block another invitee's booking", async () => {
      const a = newBooking();
      const b = joining(a);
      expect(outcome(await kit.canceled(a))).toBe('tombstoned');
      expect(outcome(await kit.created(b))).toBe('created');
      // a's own late create stays refused.
      expect(outcome(await kit.created(a))).toBe('tombstoned');
      kit.expectMeetingsFor([b]);
    });
  });

  describe('reschedules', () => {
    it('cancel first, then create: one meeting, at the new time', async () => {
      const from = newBooking();
      const to = newBooking();
      const links = rescheduleLinks(from, to);
      const original = JSON.parse((await kit.created(from)).body) as { meeting_id: string };
      const cancel = await kit.canceled(from, links.cancel);
      expect(outcome(cancel)).toBe('superseded');
      const create = await kit.created(to, {
        ...links.create,
        start: '2026-03-12T16:00:00.000000Z',
      });
      expect(outcome(create)).toBe(reschedule === 'move' ? 'moved' : 'created');
      kit.expectMeetingsFor([to]);
      const meeting = JSON.parse(create.body).meeting_id as string;
      expect(kit.zoom.meeting(meeting)?.startTime).toBe('2026-03-12T16:00:00Z');
      // Move mode keeps the meeting (and the join link the invitee has); recreate makes a new one.
      expect(meeting === original.meeting_id).toBe(reschedule === 'move');
      expect(kit.bookings()[from.eventUuid]).toMatchObject({
        status: 'superseded',
        superseded_by: to.eventUuid,
      });
    });

    it('create first, then cancel: one meeting, at the new time', async () => {
      const from = newBooking();
      const to = newBooking();
      const links = rescheduleLinks(from, to);
      const original = JSON.parse((await kit.created(from)).body) as { meeting_id: string };
      const create = await kit.created(to, {
        ...links.create,
        start: '2026-03-12T16:00:00.000000Z',
      });
      expect(outcome(create)).toBe(reschedule === 'move' ? 'moved' : 'created');
      const cancel = await kit.canceled(from, links.cancel);
      expect(outcome(cancel)).toBe(reschedule === 'move' ? 'already_superseded' : 'superseded');
      kit.expectMeetingsFor([to]);
      const meeting = JSON.parse(create.body).meeting_id as string;
      expect(kit.zoom.meeting(meeting)?.startTime).toBe('2026-03-12T16:00:00Z');
      expect(meeting === original.meeting_id).toBe(reschedule === 'move');
    });

    it.each(['cancel first', 'create first'])(
      'never moves a meeting other invitees still use (%s)',
      async (order) => {
        const a = newBooking();
        const stays = joining(a);
        const to = newBooking();
        const links = rescheduleLinks(a, to);
        await kit.created(a);
        await kit.created(stays);
        const halves = [() => kit.canceled(a, links.cancel), () => kit.created(to, links.create)];
        if (order === 'create first') halves.reverse();
        for (const half of halves) await half();
        kit.expectMeetingsFor([stays, to]);
      },
    );
  });

  describe('Zoom failures', () => {
    it('answers 500 when Zoom refuses the credentials, and creates once they work again', async () => {
      const b = newBooking();
      kit.zoom.failNext('token', {
        type: 'respond',
        status: 400,
        body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
      });
      const refused = await kit.created(b);
      expect([refused.status, outcome(refused)]).toEqual([500, 'zoom_credentials']);
      expect(JSON.parse(refused.body).reason).toMatch(/Invalid client_id or client_secret/);
      expect(kit.bookings()).toEqual({});
      expect(outcome(await kit.created(b))).toBe('created');
      kit.expectMeetingsFor([b]);
    });

    it('never reuses a token: one revoked (expired) since the last delivery does not matter', async () => {
      const first = newBooking();
      await kit.created(first);
      kit.zoom.revokeTokens();
      const second = newBooking();
      expect(outcome(await kit.created(second))).toBe('created');
      expect(kit.zoom.requestsTo('token')).toHaveLength(2);
      kit.expectMeetingsFor([first, second]);
    });

    it.each([
      ['a rejected token (401, code 124)', zoomFaults.expiredToken()],
      ['a per-second rate limit (429)', zoomFaults.perSecondLimit(1)],
    ])('answers 503 to %s, and the redelivery creates the meeting', async (_, fault) => {
      const b = newBooking();
      kit.zoom.failNext('createMeeting', fault);
      const refused = await kit.created(b);
      expect([refused.status, outcome(refused)]).toEqual([503, 'zoom_busy']);
      expect(refused.headers['retry-after']).toBe('60');
      expect(outcome(await kit.created(b))).toBe('created');
      kit.expectMeetingsFor([b]);
    });

    it("answers 503 to a host's daily limit, and creates once the day has turned", async () => {
      const b = newBooking();
      kit.zoom.failNext('createMeeting', zoomFaults.dailyUserLimit());
      const refused = await kit.created(b);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body).reason).toMatch(/daily rate limit/);
      await kit.sim.advance(20 * HOUR);
      expect(outcome(await kit.created(b))).toBe('created');
      kit.expectMeetingsFor([b]);
    });

    it('after a 5xx on create, waits for the claim, then looks for the meeting before making one', async () => {
      const b = newBooking();
      kit.zoom.failNext('createMeeting', zoomFaults.serverError(502));
      expect(outcome(await kit.created(b))).toBe('in_progress');
      expect(kit.bookings()[b.eventUuid]?.status).toBe('creating');
      expect(outcome(await kit.created(b))).toBe('in_progress');
      await kit.sim.advance(11 * 60_000);
      expect(outcome(await kit.created(b))).toBe('created');
      // Once before the first create (a new booking), once when the claim ran out.
      expect(kit.zoom.requestsTo('listMeetings')).toHaveLength(2);
      kit.expectMeetingsFor([b]);
    });

    it('adopts the meeting Zoom made after the scenario gave up waiting (timeout)', async () => {
      await start({ httpTimeoutMs: 150 });
      const b = newBooking();
      kit.zoom.failNext('createMeeting', { type: 'delay', ms: 400 });
      const lost = await kit.created(b);
      expect([lost.status, outcome(lost)]).toEqual([503, 'in_progress']);
      await kit.zoom.idle();
      expect(kit.zoom.liveMeetings()).toHaveLength(1);
      await kit.sim.advance(11 * 60_000);
      const recovered = await kit.created(b);
      expect(outcome(recovered)).toBe('created');
      expect(JSON.parse(recovered.body).meeting_id).toBe(kit.zoom.liveMeetings()[0]?.id);
      kit.expectMeetingsFor([b]);
    });

    it('adopts the meeting when the connection dropped after Zoom made it', async () => {
      const b = newBooking();
      kit.zoom.failNext('createMeeting', zoomFaults.resetAfterEffect());
      expect(outcome(await kit.created(b))).toBe('in_progress');
      await kit.sim.advance(11 * 60_000);
      expect(outcome(await kit.created(b))).toBe('created');
      kit.expectMeetingsFor([b]);
    });

    it('deletes the meeting of a booking cancelled while its create was in doubt', async () => {
      const b = newBooking();
      kit.zoom.failNext('createMeeting', zoomFaults.resetAfterEffect());
      await kit.created(b);
      expect(outcome(await kit.canceled(b))).toBe('in_progress');
      await kit.sim.advance(11 * 60_000);
      // The meeting Zoom did make is found by its marker and deleted.
      expect(outcome(await kit.canceled(b))).toBe('cancelled');
      kit.expectMeetingsFor([]);
      expect(outcome(await kit.created(b))).toBe('tombstoned');
    });

    it.each([
      [
        'no such host (404, code 1001)',
        { blueprint: { zoomHost: 'nobody@example.com' } },
        /does not exist/,
      ],
      ['bad input (400)', {}, /Invalid field/],
    ] as const)(
      'records a permanent refusal, %s, answers 200 failed and does not retry it',
      async (_, options, reason) => {
        await start(options);
        const b = newBooking();
        if (reason.source === 'Invalid field') {
          kit.zoom.failNext('createMeeting', {
            type: 'respond',
            status: 400,
            body: { code: 300, message: 'Invalid field.' },
          });
        }
        const refused = await kit.created(b);
        expect([refused.status, outcome(refused)]).toEqual([200, 'failed']);
        expect(kit.bookings()[b.eventUuid]).toMatchObject({
          status: 'failed',
          last_error: expect.stringMatching(reason),
        });
        const asked = kit.zoom.requests.length;
        const again = await kit.created(b);
        expect([again.status, outcome(again)]).toEqual([200, 'failed']);
        // Not retried: the second delivery does not ask Zoom anything.
        expect(kit.zoom.requests).toHaveLength(asked);
        kit.expectMeetingsFor([]);
      },
    );
  });

  describe('a Make outage mid-run, after Zoom made the meeting, before the record was written', () => {
    const outage = { stopBefore: moduleNamed('store the meeting (active)') };

    it('the redelivery finds the meeting by its marker and records it: one meeting, recorded', async () => {
      const b = newBooking();
      const lost = await kit.created(b, {}, outage);
      expect([lost.stopped, lost.status]).toEqual([true, 0]);
      expect(kit.zoom.liveMeetings()).toHaveLength(1);
      const again = await kit.created(b);
      expect([again.status, outcome(again)]).toEqual([200, 'created']);
      expect(JSON.parse(again.body).meeting_id).toBe(kit.zoom.liveMeetings()[0]?.id);
      expect(kit.zoom.requestsTo('createMeeting')).toHaveLength(1);
      kit.expectMeetingsFor([b]);
    });

    it('a cancel that comes before the redelivery deletes the meeting', async () => {
      const b = newBooking();
      await kit.created(b, {}, outage);
      expect(outcome(await kit.canceled(b))).toBe('tombstoned');
      kit.expectMeetingsFor([]);
      expect(outcome(await kit.created(b))).toBe('tombstoned');
      kit.expectMeetingsFor([]);
    });

    it('a meeting Zoom refuses to delete is recorded for attention with the cancel, answered 200', async () => {
      const b = newBooking();
      await kit.created(b, {}, outage);
      kit.zoom.failNext('deleteMeeting', {
        type: 'respond',
        status: 400,
        body: { code: 3000, message: 'Cannot delete this meeting.' },
      });
      const cancel = await kit.canceled(b);
      expect([cancel.status, outcome(cancel)]).toEqual([200, 'failed']);
      expect(kit.bookings()[b.eventUuid]).toMatchObject({
        status: 'failed',
        canceled: `,${b.inviteeUuid},`,
        meeting_id: kit.zoom.liveMeetings()[0]?.id,
        last_error: expect.stringMatching(/Cannot delete this meeting/),
      });
      // The invitee's late create stays refused.
      expect(outcome(await kit.created(b))).toBe('tombstoned');
    });
  });

  describe('deliveries that never reach a booking', () => {
    it.each([
      ['forged (another key)', { key: 'not-the-signing-key-at-all' }],
      ['stale (signed 25 h ago)', { at: -25 * HOUR }],
      ['from the future (25 h ahead)', { at: 25 * HOUR }],
    ])('answers 401 to a %s delivery, in 2 operations', async (_, signing) => {
      const at = 'at' in signing ? kit.sim.now() + (signing.at ?? 0) : undefined;
      const result = await kit.deliver(JSON.stringify({ event: 'invitee.created', payload: {} }), {
        ...signing,
        at,
      });
      expect(result.status).toBe(401);
      expect(result.operations).toBeLessThanOrEqual(JUNK_OPS);
      expect(kit.zoom.requests).toHaveLength(0);
      expect(kit.bookings()).toEqual({});
    });

    it('answers 401 to an unsigned delivery', async () => {
      const result = await kit.sim.deliver({ body: '{"event":"invitee.created"}', headers: {} });
      expect([result.status, result.operations]).toEqual([401, JUNK_OPS]);
    });

    it('answers 400 to a signed body that is not JSON, and 200 ignored to another event type', async () => {
      expect((await kit.deliver('not json')).status).toBe(400);
      const other = await kit.deliver({ event: 'routing_form_submission.created', payload: {} });
      expect([other.status, outcome(other)]).toEqual([200, 'ignored']);
    });

    it('accepts a delivery processed 30 minutes after it was signed (it waited in the queue)', async () => {
      const b = newBooking();
      const signedAt = kit.sim.now();
      await kit.sim.advance(30 * 60_000);
      const result = await kit.deliver(buildInviteeCreated(b), { at: signedAt, key: SIGNING_KEY });
      expect(outcome(result)).toBe('created');
      kit.expectMeetingsFor([b]);
    });
  });

  describe('load and stalls', () => {
    it('drains a burst of 200 deliveries: one meeting per active booking, within the targets', async () => {
      const bookings: Booking[] = Array.from({ length: 80 }, newBooking);
      const cancelled = bookings.slice(0, 30);
      const deliveries = [
        ...bookings.map((b) => () => kit.created(b)),
        ...bookings.slice(40, 80).map((b) => () => kit.created(b)),
        ...cancelled.map((b) => () => kit.canceled(b)),
        ...cancelled.slice(0, 10).map((b) => () => kit.canceled(b)),
        ...bookings.slice(30, 70).map((b) => () => kit.created(joining(b))),
      ];
      expect(deliveries).toHaveLength(200);
      // All at once: sequential processing queues them in arrival order.
      const results = await Promise.all(deliveries.map((d) => d()));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(Math.max(...results.map((r) => r.operations))).toBeLessThanOrEqual(BOOKING_OPS);
      kit.expectMeetingsFor(bookings.slice(30));
    });

    it('needs sequential processing: switched off, racing deliveries of one booking make two meetings', async () => {
      await start({ settings: { sequential: false } });
      const b = newBooking();
      await Promise.all([kit.created(b), kit.created(b)]);
      // Why the checklist insists on it: Make's data store has no insert-if-absent to lean on.
      expect(kit.zoom.liveMeetings()).toHaveLength(2);
    });

    it('never parks a run, however Zoom fails, so later deliveries are never held', async () => {
      const faults = [
        zoomFaults.serverError(500),
        zoomFaults.perSecondLimit(),
        zoomFaults.dailyUserLimit(),
        zoomFaults.expiredToken(),
        zoomFaults.reset(),
        zoomFaults.serverError(503),
      ];
      for (const fault of faults) {
        kit.zoom.failNext('createMeeting', fault);
        const result = await kit.created(newBooking());
        expect(result.parked).toBe(false);
        expect(result.queued).toBe(false);
      }
      const b = newBooking();
      const after = await kit.created(b);
      expect([after.queued, outcome(after)]).toEqual([false, 'created']);
    });
  });
});

describe.each(['recreate', 'move'] as const)(
  'operations per path (reschedule %s)',
  (reschedule) => {
    it('are the same against the fake Zoom over HTTP as the numbers blueprints/README.md prints', async () => {
      const zoom = await startFakeZoomServer({ users: ['host@example.com'] });
      try {
        const options = resolveBlueprintOptions({ reschedule });
        const overHttp = await measureOperations(options, {
          http: createFetchHttpClient(),
          url: zoom.url,
          accountId: zoom.credentials.accountId,
          keychain: {
            username: zoom.credentials.clientId,
            password: zoom.credentials.clientSecret,
          },
        });
        expect(overHttp.paths).toEqual((await measureOperations(options)).paths);
        const over = overHttp.paths
          .filter((p) => p.target !== null && p.operations > p.target)
          .map((p) => [p.path, p.operations]);
        expect(over).toEqual(reschedule === 'move' ? MOVE_OVER_TARGET : []);
      } finally {
        await zoom.close();
      }
    });
  },
);
