import { parseBookingQuery } from '../../../src/bookings/find-bookings';
import { summariseOperations } from '../../../src/bookings/operations-summary';
import { harness } from '../../support/lifecycle-harness';
import { canceled, created, inviteeUri } from '../../support/invitee-events';

const HOUR = 3_600_000;

describe('summariseOperations: what the status page shows of the bookings', () => {
  it("counts today's (UTC) settled deliveries by how they ended, and nothing from before", async () => {
    const h = harness();
    await h.handle(created({ event: 'yesterday', invitee: 'y' })); // 2026-11-26 12:00
    h.clock.advance(13 * HOUR); // 2026-11-27 01:00
    await h.handle(created({ event: 'ev-1', invitee: 'a' }));
    await h.handle(created({ event: 'ev-1', invitee: 'b' }));
    await h.handle(canceled({ event: 'ev-1', invitee: 'b' }));
    await h.handle(canceled({ event: 'yesterday', invitee: 'y' }));
    await h.handle(canceled({ event: 'ev-never', invitee: 'n' }));

    const summary = await summariseOperations(h.store, h.clock.now);

    expect(summary.day).toBe('2026-11-27');
    expect(summary.countsToday).toEqual({
      created: 1,
      duplicate: 1,
      kept_for_other_invitees: 1,
      cancelled: 1,
      tombstoned: 1,
    });
    expect(summary.bookings).toBe(3);
  });

  it('lists the latest settled deliveries first, with the booking they were about', async () => {
    const h = harness();
    await h.handle(created({ event: 'ev-1', invitee: 'a' }));
    h.clock.advance(1000);
    await h.handle(canceled({ event: 'ev-1', invitee: 'a' }));

    const { recentDeliveries } = await summariseOperations(h.store, h.clock.now);

    expect(recentDeliveries.map((d) => [d.via, d.outcome, d.inviteeEmail])).toEqual([
      ['invitee.canceled', 'cancelled', 'a@example.com'],
      ['invitee.created', 'created', 'a@example.com'],
    ]);
  });

  it('lists bookings waiting for a person with the fix, not those cancelled since', async () => {
    const h = harness({ config: { defaultHost: null } });
    for (const event of ['lost-1', 'lost-2']) {
      await h.handle(created({ event, host: 'nobody@example.com' })).catch(() => undefined);
    }
    await h.handle(canceled({ event: 'lost-2' }));

    const { needsAttention } = await summariseOperations(h.store, h.clock.now);

    expect(needsAttention.map((b) => [b.eventUuid, b.attention?.reason])).toEqual([
      ['lost-1', 'host_without_zoom_user'],
    ]);
    expect(needsAttention[0]?.attention?.fix).toMatch(/ZOOM_DEFAULT_HOST/);
  });
});

describe('parseBookingQuery', () => {
  it.each([
    [inviteeUri('ev-1', 'a'), { by: 'invitee', inviteeUri: inviteeUri('ev-1', 'a') }],
    ['https://api.calendly.com/scheduled_events/ev-1', { by: 'event', eventUuid: 'ev-1' }],
    [
      '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      { by: 'event', eventUuid: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' },
    ],
    [' Jane@Example.com ', { by: 'email', email: 'jane@example.com' }],
    ['850 1234 5678', { by: 'meeting', meetingId: '85012345678' }],
  ])('%j', (text, query) => {
    expect(parseBookingQuery(text)).toEqual(query);
  });

  it.each(['', 'two words', 'https://example.com/not/calendly', 'ev/1'])('refuses %j', (text) => {
    expect(parseBookingQuery(text)).toBeNull();
  });
});
