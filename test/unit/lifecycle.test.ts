import { HostResolutionError, meetingMarker } from '../../src/lifecycle';
import { StoreError } from '../../src/store/errors';
import { ZoomRateLimitError } from '../../src/zoom/errors';
import type { CreateMeetingParams, ZoomMeeting } from '../../src/zoom/types';
import { FakeZoom } from '../support/fake-zoom';
import { canceled, created, inviteeUri, reschedule } from '../support/invitee-events';
import { harness, type Harness } from '../support/lifecycle-harness';
import { MemoryBookingStore } from '../../src/store/memory';

describe('invitee.created', () => {
  it('creates one Zoom meeting for the booking under its host and returns it', async () => {
    const h = harness();
    const out = await h.handle(created({ start: '2026-12-01T15:00:00Z', minutes: 45 }));

    expect(out.outcome).toBe('created');
    const [meeting] = h.zoom.liveMeetings();
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(meeting).toMatchObject({
      host: 'host@example.com',
      startTime: '2026-12-01T15:00:00Z',
      durationMinutes: 45,
      topic: 'Discovery Call with Invitee inv-1',
    });
    expect(meeting?.agenda).toContain(
      meetingMarker('https://api.calendly.com/scheduled_events/ev-1'),
    );
    expect(out.meeting).toEqual({
      id: meeting?.id,
      joinUrl: meeting?.joinUrl,
      startUrl: meeting?.startUrl,
      password: meeting?.password,
      host: 'host@example.com',
    });
    expect(out.eventUuid).toBe('ev-1');
    expect((await h.store.get('ev-1'))?.status).toBe('active');
  });

  it('stores the meeting id as a string', async () => {
    const h = harness();
    await h.handle(created());
    const record = await h.store.get('ev-1');
    expect(typeof record?.meeting?.id).toBe('string');
  });

  it('fills the topic template with event, invitee, invitee email and host', async () => {
    const h = harness({
      config: { topicTemplate: '{event} | {invitee} <{invitee_email}> / {host} {unknown}' },
    });
    await h.handle(created());
    expect(h.zoom.liveMeetings()[0]?.topic).toBe(
      'Discovery Call | Invitee inv-1 <inv-1@example.com> / host@example.com {unknown}',
    );
  });

  it('returns the stored meeting for a redelivered create and calls Zoom no more', async () => {
    const h = harness();
    const first = await h.handle(created());
    const zoomCalls = h.zoom.calls.length;

    const again = await h.handle(created());

    expect(again.outcome).toBe('duplicate');
    expect(again.meeting).toEqual(first.meeting);
    expect(h.zoom.calls.length).toBe(zoomCalls);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  it('uses the default host when the booking host has no Zoom user', async () => {
    const h = harness({ config: { defaultHost: 'default@example.com' } });
    const out = await h.handle(created({ host: 'stranger@example.com' }));
    expect(out.outcome).toBe('created');
    expect(out.meeting?.host).toBe('default@example.com');
  });

  it('uses the default host when the booking names no host', async () => {
    const h = harness({ config: { defaultHost: 'default@example.com' } });
    const out = await h.handle(created({ host: null }));
    expect(out.meeting?.host).toBe('default@example.com');
  });

  it('fails with HostResolutionError when the host is unknown and no default host is set', async () => {
    const h = harness();
    await expect(h.handle(created({ host: 'stranger@example.com' }))).rejects.toBeInstanceOf(
      HostResolutionError,
    );
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });

  it('lets the redelivery create at once after a host error, without a marker search', async () => {
    const h = harness();
    await expect(h.handle(created({ host: null }))).rejects.toBeInstanceOf(HostResolutionError);
    h.deps.config.defaultHost = 'default@example.com';

    const out = await h.handle(created({ host: null }));

    expect(out.outcome).toBe('created');
    expect(h.zoom.calls.filter((c) => c.op === 'find')).toHaveLength(0);
  });

  it('releases the booking when Zoom rate-limits the create, so the redelivery needs no search', async () => {
    const h = harness();
    h.zoom.failNext('create', 'rate_limit');
    await expect(h.handle(created())).rejects.toBeInstanceOf(ZoomRateLimitError);

    const out = await h.handle(created());

    expect(out.outcome).toBe('created');
    expect(h.zoom.calls.filter((c) => c.op === 'find')).toHaveLength(0);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  it('answers in_progress while another delivery holds the booking', async () => {
    const h = harness();
    await h.store.claimCreate({
      eventUuid: 'ev-1',
      eventUri: 'https://api.calendly.com/scheduled_events/ev-1',
      inviteeUri: inviteeUri('ev-1', 'inv-1'),
      owner: 'someone-else',
      now: h.clock.now,
      leaseMs: 60_000,
      startTime: '2026-12-01T15:00:00Z',
      durationMinutes: 30,
      reschedule: null,
      rescheduleMode: 'recreate',
    });
    const out = await h.handle(created());
    expect(out.outcome).toBe('in_progress');
    expect(out.retryLater).toBe(true);
    expect(h.zoom.calls).toHaveLength(0);
  });
});

describe('crash between "Zoom meeting created" and "record written"', () => {
  it('finds the meeting by its marker after a timeout that hid a successful create', async () => {
    const h = harness();
    h.zoom.failNext('create', 'after_create_timeout');
    await expect(h.handle(created())).rejects.toThrow(/timed out/);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    h.clock.advance(h.deps.config.createSettleMs + 1);

    const out = await h.handle(created());

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(out.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });

  it('holds a booking whose create timed out until Zoom could have made the meeting late', async () => {
    const h = harness();
    h.zoom.failNext('create', 'timeout_then_late_create');
    await expect(h.handle(created())).rejects.toThrow(/timed out/);
    expect(h.zoom.liveMeetings()).toHaveLength(0);

    const early = await h.handle(created());
    expect(early.outcome).toBe('in_progress');
    expect(early.retryAfterMs).toBe(h.deps.config.createSettleMs);
    h.zoom.landLateCreates();
    h.clock.advance(h.deps.config.createSettleMs + 1);
    const out = await h.handle(created());

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(out.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });

  it('lets a redelivery take over at once when the meeting was made but its commit failed', async () => {
    const h = harness();
    const commit = h.store.commitCreate.bind(h.store);
    h.store.commitCreate = () => Promise.reject(new StoreError('store unreachable'));
    await expect(h.handle(created())).rejects.toThrow('store unreachable');
    h.store.commitCreate = commit;

    const out = await h.handle(created());

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(out.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });

  it('takes over a booking whose worker died, once its lease runs out, and adopts its meeting', async () => {
    const h = harness();
    await killAfterCreate(h);

    expect((await h.handle(created())).outcome).toBe('in_progress');
    h.clock.advance(h.deps.config.leaseMs + 1);
    const out = await h.handle(created());

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect((await h.store.get('ev-1'))?.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });
});

describe('invitee.canceled', () => {
  it('deletes the stored meeting in Zoom and marks the record cancelled', async () => {
    const h = harness();
    const made = await h.handle(created());

    const out = await h.handle(canceled());

    expect(out.outcome).toBe('cancelled');
    expect(out.meeting?.id).toBe(made.meeting?.id);
    expect(h.zoom.liveMeetings()).toHaveLength(0);
    expect((await h.store.get('ev-1'))?.status).toBe('cancelled');
  });

  it('treats a meeting already deleted in Zoom as success (already_gone)', async () => {
    const h = harness();
    const made = await h.handle(created());
    h.zoom.meetings.delete(made.meeting?.id ?? '');

    const out = await h.handle(canceled());

    expect(out.outcome).toBe('already_gone');
    expect((await h.store.get('ev-1'))?.status).toBe('cancelled');
  });

  it('forgets the start_url once the meeting is deleted', async () => {
    const h = harness();
    await h.handle(created());
    await h.handle(canceled());
    expect((await h.store.get('ev-1'))?.meeting?.startUrl).toBeNull();
  });

  it('reports a redelivered cancellation as a duplicate and calls Zoom no more', async () => {
    const h = harness();
    await h.handle(created());
    await h.handle(canceled());
    const calls = h.zoom.calls.length;
    expect((await h.handle(canceled())).outcome).toBe('duplicate');
    expect(h.zoom.calls.length).toBe(calls);
  });

  it('keeps the booking cancelling and lets the redelivery finish when the delete fails', async () => {
    const h = harness();
    await h.handle(created());
    h.zoom.failNext('delete', 'server_error');
    await expect(h.handle(canceled())).rejects.toThrow(/unavailable/);
    expect((await h.store.get('ev-1'))?.status).toBe('cancelling');

    const out = await h.handle(canceled());

    expect(out.outcome).toBe('cancelled');
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });
});

describe('invitee.canceled before its invitee.created (out of order)', () => {
  it('stores a tombstone, and the late create makes no meeting', async () => {
    const h = harness();
    expect((await h.handle(canceled())).outcome).toBe('tombstoned');

    const late = await h.handle(created());

    expect(late.outcome).toBe('tombstoned');
    expect(h.zoom.calls.filter((c) => c.op === 'create')).toHaveLength(0);
    expect((await h.store.get('ev-1'))?.status).toBe('tombstoned');
  });
});

describe('a cancellation that arrives while the meeting is being created', () => {
  class SlowZoom extends FakeZoom {
    during: (() => Promise<unknown>) | null = null;
    override async createMeeting(host: string, params: CreateMeetingParams): Promise<ZoomMeeting> {
      const meeting = await super.createMeeting(host, params);
      const during = this.during;
      this.during = null;
      await during?.();
      return meeting;
    }
  }

  it('is acknowledged, and the creator deletes what it just made', async () => {
    const zoom = new SlowZoom();
    const h = harness({ zoom });
    let cancelOutcome: string | undefined;
    zoom.during = async () => {
      cancelOutcome = (await h.handle(canceled())).outcome;
    };

    const out = await h.handle(created());

    expect(cancelOutcome).toBe('cancelled');
    expect(out.outcome).toBe('cancelled');
    expect(zoom.liveMeetings()).toHaveLength(0);
    expect((await h.store.get('ev-1'))?.status).toBe('cancelled');
  });

  it('cleans up a create that was abandoned half-way (the meeting exists, unrecorded)', async () => {
    const h = harness();
    h.zoom.failNext('create', 'after_create_timeout');
    await expect(h.handle(created())).rejects.toThrow(/timed out/);

    // Nobody holds the booking while Zoom may still be making the meeting: the cancellation is
    // not acknowledged until it can clean up for certain.
    const early = await h.handle(canceled());
    expect(early.outcome).toBe('in_progress');
    h.clock.advance(h.deps.config.createSettleMs + 1);
    expect((await h.handle(canceled())).outcome).toBe('cancelled');
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });

  it('is finished by the create redelivery when the creator died before recording', async () => {
    const h = harness();
    await killAfterCreate(h);
    expect((await h.handle(canceled())).outcome).toBe('cancelled');
    expect(h.zoom.liveMeetings()).toHaveLength(1);

    h.clock.advance(h.deps.config.leaseMs + 1);
    expect((await h.handle(created())).outcome).toBe('tombstoned');

    expect(h.zoom.liveMeetings()).toHaveLength(0);
    expect((await h.store.get('ev-1'))?.status).toBe('cancelled');
  });
});

describe.each(['recreate', 'move'] as const)('reschedule in %s mode', (mode) => {
  const from = { event: 'ev-old', invitee: 'inv-old' };
  const to = { event: 'ev-new', invitee: 'inv-new', start: '2026-12-02T09:00:00Z', minutes: 60 };

  it.each([
    ['cancel first', true],
    ['create first', false],
  ])(
    '%s: leaves exactly one meeting, at the new time, and supersedes the old booking',
    async (_, cancelFirst) => {
      const h = harness({ config: { reschedule: mode } });
      const original = await h.handle(created(from));
      const { cancel, create } = reschedule(from, to);

      const outcomes = cancelFirst
        ? [await h.handle(cancel), await h.handle(create)]
        : [await h.handle(create), await h.handle(cancel)].reverse();

      expect(outcomes[0]?.outcome).toBe(
        cancelFirst || mode === 'recreate' ? 'superseded' : 'duplicate',
      );
      expect(outcomes[1]?.outcome).toBe(mode === 'move' ? 'moved' : 'created');
      const live = h.zoom.liveMeetings();
      expect(live).toHaveLength(1);
      expect(live[0]).toMatchObject({ startTime: '2026-12-02T09:00:00Z', durationMinutes: 60 });
      expect(live[0]?.agenda).toContain(
        meetingMarker('https://api.calendly.com/scheduled_events/ev-new'),
      );
      const oldRecord = await h.store.get('ev-old');
      expect(oldRecord?.status).toBe('superseded');
      expect(oldRecord?.supersededBy).toBe(inviteeUri('ev-new', 'inv-new'));
      const newRecord = await h.store.get('ev-new');
      expect(newRecord?.status).toBe('active');
      expect(newRecord?.replaces).toBe(inviteeUri('ev-old', 'inv-old'));
      if (mode === 'move') {
        expect(live[0]?.id).toBe(original.meeting?.id);
        expect(newRecord?.meeting?.joinUrl).toBe(original.meeting?.joinUrl);
      } else {
        expect(live[0]?.id).not.toBe(original.meeting?.id);
      }
    },
  );
});

describe('reschedule handled by two callers with different settings (two Zaps)', () => {
  const from = { event: 'ev-old', invitee: 'inv-old' };
  const to = { event: 'ev-new', invitee: 'inv-new' };

  it.each([
    ['move', 'recreate'],
    ['recreate', 'move'],
  ] as const)(
    'follows the mode the booking was made with (%s), not the later caller (%s)',
    async (made, later) => {
      const maker = harness({ config: { reschedule: made } });
      const other = harness({
        config: { reschedule: later },
        store: maker.store,
        zoom: maker.zoom,
      });
      const original = await maker.handle(created(from));
      const { cancel, create } = reschedule(from, to);

      await other.handle(cancel);
      const out = await other.handle(create);

      expect(out.outcome).toBe(made === 'move' ? 'moved' : 'created');
      const live = maker.zoom.liveMeetings();
      expect(live).toHaveLength(1);
      expect(live[0]?.id === original.meeting?.id).toBe(made === 'move');
    },
  );
});

describe('reschedule in move mode', () => {
  it('creates a fresh meeting when the old one was deleted in Zoom by hand', async () => {
    const h = harness({ config: { reschedule: 'move' } });
    const original = await h.handle(created({ event: 'a', invitee: 'x' }));
    h.zoom.meetings.delete(original.meeting?.id ?? '');
    const { create } = reschedule({ event: 'a', invitee: 'x' }, { event: 'b', invitee: 'y' });

    const out = await h.handle(create);

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  it('never makes two meetings when the worker replacing a hand-deleted meeting dies', async () => {
    const h = harness({ config: { reschedule: 'move' } });
    const original = await h.handle(created({ event: 'a', invitee: 'x' }));
    h.zoom.meetings.delete(original.meeting?.id ?? '');
    const { create } = reschedule({ event: 'a', invitee: 'x' }, { event: 'b', invitee: 'y' });
    const commit = h.store.commitCreate.bind(h.store);
    h.store.commitCreate = () => Promise.reject(new Error('process killed'));
    await expect(h.handle(create)).rejects.toThrow('process killed');
    h.store.commitCreate = commit;

    h.clock.advance(h.deps.config.leaseMs + 1);
    const out = await h.handle(create);

    expect(out.outcome).toBe('created');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(out.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });

  it('makes a new meeting instead when other invitees are still on the old group event', async () => {
    const h = harness({ config: { reschedule: 'move' } });
    await h.handle(created({ event: 'a', invitee: 'x' }));
    await h.handle(created({ event: 'a', invitee: 'other' }));
    const { cancel, create } = reschedule(
      { event: 'a', invitee: 'x' },
      { event: 'b', invitee: 'y' },
    );

    expect((await h.handle(create)).outcome).toBe('created');
    expect((await h.handle(cancel)).outcome).toBe('kept_for_other_invitees');
    expect(h.zoom.liveMeetings()).toHaveLength(2);
  });
});

describe('group event (several invitees on one scheduled event)', () => {
  it('makes one meeting and adds later invitees to the record', async () => {
    const h = harness();
    const first = await h.handle(created({ invitee: 'a' }));
    const second = await h.handle(created({ invitee: 'b' }));

    expect(second.outcome).toBe('duplicate');
    expect(second.meeting?.id).toBe(first.meeting?.id);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(Object.keys((await h.store.get('ev-1'))?.invitees ?? {})).toHaveLength(2);
  });

  it('keeps the meeting until the last active invitee cancels', async () => {
    const h = harness();
    await h.handle(created({ invitee: 'a' }));
    await h.handle(created({ invitee: 'b' }));

    expect((await h.handle(canceled({ invitee: 'a' }))).outcome).toBe('kept_for_other_invitees');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect((await h.handle(canceled({ invitee: 'b' }))).outcome).toBe('cancelled');
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });

  it('refuses a late redelivery of a cancelled invitee while others stay booked', async () => {
    const h = harness();
    await h.handle(created({ invitee: 'a' }));
    await h.handle(created({ invitee: 'b' }));
    await h.handle(canceled({ invitee: 'a' }));

    expect((await h.handle(created({ invitee: 'a' }))).outcome).toBe('tombstoned');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });
});

describe('booking that already carries a Zoom join_url (Calendly made the meeting)', () => {
  const native = { type: 'zoom', status: 'pushed', joinUrl: 'https://zoom.us/j/1' };

  it('is skipped by default with skipped_native_zoom', async () => {
    const h = harness();
    const out = await h.handle(created({ location: native }));
    expect(out.outcome).toBe('skipped_native_zoom');
    expect(h.zoom.calls).toHaveLength(0);
  });

  it('gets a meeting of our own when nativeZoom is "create"', async () => {
    const h = harness({ config: { nativeZoom: 'create' } });
    expect((await h.handle(created({ location: native }))).outcome).toBe('created');
  });

  it('is not skipped while Calendly has not yet made its Zoom link', async () => {
    const h = harness();
    const pending = { type: 'zoom', status: 'processing', joinUrl: null };
    expect((await h.handle(created({ location: pending }))).outcome).toBe('created');
  });
});

/** The worker dies after Zoom made the meeting: neither the commit nor a release ever lands. */
async function killAfterCreate(h: Harness): Promise<void> {
  const commit = h.store.commitCreate.bind(h.store);
  const release = h.store.releaseLease.bind(h.store);
  h.store.commitCreate = () => Promise.reject(new Error('process killed'));
  h.store.releaseLease = () => Promise.reject(new Error('process killed'));
  try {
    await expect(h.handle(created())).rejects.toThrow('process killed');
  } finally {
    h.store.commitCreate = commit;
    h.store.releaseLease = release;
  }
}

describe('a booking the engine cannot serve', () => {
  const HOOK = 'webhook:https://consumer.example/hooks';

  it('is recorded as needing attention, with the cause, and announced once however often it is retried', async () => {
    const store = new MemoryBookingStore({ notify: { channels: [HOOK] } });
    const h = harness({ store, zoom: new FakeZoom(['someone-else@example.com']) });

    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(h.handle(created())).rejects.toBeInstanceOf(HostResolutionError);
      h.clock.advance(1000);
    }

    expect((await store.get('ev-1'))?.attention).toMatchObject({
      reason: 'host_without_zoom_user',
    });
    const notices = await store.outbox.list({ now: h.clock.now });
    expect(notices.map((i) => i.notice.type)).toEqual(['booking.needs_attention']);
    expect(notices[0]?.notice.booking).toMatchObject({
      inviteeUri: inviteeUri('ev-1', 'inv-1'),
      invitee: { email: expect.stringContaining('@') },
    });
  });

  it('is cleared once the booking gets its meeting', async () => {
    const store = new MemoryBookingStore({ notify: { channels: [HOOK] } });
    const zoom = new FakeZoom(['host@example.com']);
    const h = harness({ store, zoom });
    zoom.failNext('create', 'daily_limit');
    await expect(h.handle(created())).rejects.toBeInstanceOf(ZoomRateLimitError);
    expect((await store.get('ev-1'))?.attention?.reason).toBe('zoom_daily_limit');

    expect((await h.handle(created())).outcome).toBe('created');
    expect((await store.get('ev-1'))?.attention).toBeNull();
  });

  it('is not flagged for a passing failure (Zoom 5xx)', async () => {
    const h = harness();
    h.zoom.failNext('create', 'server_error');
    await expect(h.handle(created())).rejects.toThrow();
    expect((await h.store.get('ev-1'))?.attention ?? null).toBeNull();
  });
});
