import { DEFAULT_PENDING_MOVE_TIMEOUT_MS, runMaintenance } from '../../src/maintenance';
import { MemoryBookingStore } from '../../src/store/memory';
import { FakeZoom } from '../support/fake-zoom';
import { canceled, created, reschedule } from '../support/invitee-events';
import { harness, type Harness } from '../support/lifecycle-harness';

// The clean-ups no delivery asks for: a meeting Zoom made after everyone stopped waiting for it,
// and a meeting kept for a move whose new booking never came.

const options = { pendingMoveTimeoutMs: DEFAULT_PENDING_MOVE_TIMEOUT_MS };
const HOOK = 'webhook:https://consumer.example/hooks';

function maintain(h: Harness) {
  return runMaintenance({ ...h.deps, zoom: h.zoom }, options);
}

describe('the ghost-meeting sweep', () => {
  it("deletes a meeting Zoom made late, after the booking got another one, and keeps the booking's", async () => {
    const h = harness();
    h.zoom.failNext('create', 'timeout_then_late_create');
    await expect(h.handle(created())).rejects.toThrow(/timed out/);
    h.clock.advance(h.deps.config.createSettleMs + 1);
    // Zoom was slower still than the time the engine allowed it: the takeover found nothing.
    const out = await h.handle(created());
    h.zoom.landLateCreates();
    expect(h.zoom.liveMeetings()).toHaveLength(2);

    const report = await maintain(h);

    expect(report.ghostsDeleted).toEqual([
      { meetingId: expect.not.stringMatching(String(out.meeting?.id)), eventUuid: 'ev-1' },
    ]);
    expect(h.zoom.liveMeetings().map((m) => m.id)).toEqual([out.meeting?.id]);
    expect(report.errors).toEqual([]);
  });

  it('deletes a meeting Zoom made late for a booking cancelled meanwhile', async () => {
    const h = harness();
    h.zoom.failNext('create', 'timeout_then_late_create');
    await expect(h.handle(created())).rejects.toThrow(/timed out/);
    h.clock.advance(h.deps.config.createSettleMs + 1);
    expect((await h.handle(canceled())).outcome).toBe('cancelled');
    h.zoom.landLateCreates();

    const report = await maintain(h);

    expect(report.ghostsDeleted).toHaveLength(1);
    expect(h.zoom.liveMeetings()).toEqual([]);
  });

  it('leaves recorded meetings, bookings being created, and meetings of unknown bookings alone', async () => {
    const h = harness();
    await h.handle(created({ event: 'ev-live', invitee: 'a' }));
    h.zoom.failNext('create', 'after_create_timeout');
    await expect(h.handle(created({ event: 'ev-busy', invitee: 'b' }))).rejects.toThrow();
    await h.zoom.createMeeting('host@example.com', {
      topic: 'made by someone else',
      startTime: '2026-12-01T15:00:00Z',
      durationMinutes: 30,
      agenda: '[Calendly booking https://api.calendly.com/scheduled_events/ev-unknown]',
    });

    const report = await maintain(h);

    expect(report.ghostsDeleted).toEqual([]);
    expect(h.zoom.liveMeetings()).toHaveLength(3);
  });

  it('says what it could not do, and goes on with the other hosts', async () => {
    const h = harness({ zoom: new FakeZoom(['host@example.com', 'default@example.com']) });
    h.deps.config.defaultHost = 'default@example.com';
    await h.handle(created());
    h.zoom.failNext('find', 'server_error');

    const report = await maintain(h);

    expect(report.errors).toEqual([expect.stringMatching(/^could not sweep the meetings of /)]);
    const swept = h.zoom.calls.filter((c) => c.op === 'find').map((c) => c.target);
    expect(new Set(swept)).toEqual(new Set(['host@example.com', 'default@example.com']));
  });
});

describe('a meeting kept for a move whose new booking never came', () => {
  function keptForMove() {
    const store = new MemoryBookingStore({ notify: { channels: [HOOK] } });
    const h = harness({ config: { reschedule: 'move' }, store });
    return { h, store };
  }

  it('is deleted once it has waited longer than the timeout, and the old booking finished', async () => {
    const { h, store } = keptForMove();
    await h.handle(created({ event: 'a', invitee: 'x' }));
    const { cancel } = reschedule({ event: 'a', invitee: 'x' }, { event: 'b', invitee: 'y' });
    expect((await h.handle(cancel)).outcome).toBe('superseded');
    expect(h.zoom.liveMeetings()).toHaveLength(1);

    h.clock.advance(DEFAULT_PENDING_MOVE_TIMEOUT_MS - 1000);
    expect((await maintain(h)).movesExpired).toEqual([]);
    h.clock.advance(2000);
    expect((await maintain(h)).movesExpired).toEqual(['a']);

    expect(h.zoom.liveMeetings()).toEqual([]);
    expect(await store.get('a')).toMatchObject({ status: 'superseded', pendingMove: false });
    const deleted = (await store.outbox.list({ now: h.clock.now })).find(
      (i) => i.notice.type === 'meeting.deleted',
    );
    expect(deleted?.notice.reason).toBe('move_abandoned');
  });

  it('is left alone when the new booking arrived in time', async () => {
    const { h } = keptForMove();
    await h.handle(created({ event: 'a', invitee: 'x' }));
    const { cancel, create } = reschedule(
      { event: 'a', invitee: 'x' },
      { event: 'b', invitee: 'y' },
    );
    await h.handle(cancel);
    expect((await h.handle(create)).outcome).toBe('moved');
    h.clock.advance(DEFAULT_PENDING_MOVE_TIMEOUT_MS + 1000);

    const report = await maintain(h);

    expect(report.movesExpired).toEqual([]);
    expect(report.ghostsDeleted).toEqual([]);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });
});
