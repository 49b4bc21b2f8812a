import nock from 'nock';
import { MemoryBookingStore } from '../../src/store/memory';
import { FakeZoom } from '../support/fake-zoom';
import { countingStore } from '../support/counting-store';
import { canceled, created } from '../support/invitee-events';
import { harness } from '../support/lifecycle-harness';
import {
  api,
  countingTokenCache,
  fixture,
  issueTokens,
  useNock,
  zoomHarness,
  type Exchange,
} from './zoom/zoom-test-kit';

// The guide's Make recipe spends 2 HTTP calls + 1 store call per booking on create alone (it
// fetches a token every run). On the warm path we promise one Zoom call and at most two store
// round trips per delivery.
describe('round trips on the warm path', () => {
  function setup() {
    const counted = countingStore(new MemoryBookingStore());
    const h = harness({ store: counted.store });
    return { h, storeCalls: counted.calls };
  }

  it('invitee.created costs 1 Zoom call and at most 2 store round trips', async () => {
    const { h, storeCalls } = setup();
    await h.handle(created());
    expect(h.zoom.calls.map((c) => c.op)).toEqual(['create']);
    expect(storeCalls.length).toBeLessThanOrEqual(2);
  });

  it('invitee.canceled costs 1 Zoom call and at most 2 store round trips', async () => {
    const { h, storeCalls } = setup();
    await h.handle(created());
    h.zoom.calls.length = 0;
    storeCalls.length = 0;

    await h.handle(canceled());

    expect(h.zoom.calls.map((c) => c.op)).toEqual(['delete']);
    expect(storeCalls.length).toBeLessThanOrEqual(2);
  });

  it('a duplicate invitee.created costs no Zoom call and 1 store round trip', async () => {
    const { h, storeCalls } = setup();
    await h.handle(created());
    h.zoom.calls.length = 0;
    storeCalls.length = 0;

    await h.handle(created());

    expect(h.zoom.calls).toEqual([]);
    expect(storeCalls).toEqual(['claimCreate']);
  });
});

describe('round trips with the real Zoom client, token warm', () => {
  useNock();

  it('sends exactly one HTTP request to Zoom for a create and one for a cancel, and reads no shared token', async () => {
    const counted = countingStore(new MemoryBookingStore());
    // The token cache a fleet shares (Upstash): before, every Zoom call read it first.
    const now = () => Date.parse('2026-11-26T12:00:00Z');
    const shared = countingTokenCache(now);
    const { client } = zoomHarness({ tokenCache: shared.cache, now });
    const h = harness({ store: counted.store, zoom: new FakeZoom() });
    h.deps.zoom = client;
    const meeting = fixture<Exchange>('create-meeting.response').body as { id: number };

    // Warm-up booking: fetches the token once.
    issueTokens(1);
    api()
      .post('/v2/users/host%40example.com/meetings')
      .reply(201, { ...meeting, id: 1 });
    await h.handle(created({ event: 'warm' }));

    counted.calls.length = 0;
    shared.reads.count = 0;
    const createScope = api()
      .post('/v2/users/host%40example.com/meetings')
      .reply(201, { ...meeting, id: 85746065432 });
    const out = await h.handle(created());
    expect(createScope.isDone()).toBe(true);
    expect(out.meeting?.id).toBe('85746065432');
    expect(counted.calls.length).toBeLessThanOrEqual(2);

    counted.calls.length = 0;
    const deleteScope = api().delete('/v2/meetings/85746065432').query(true).reply(204);
    expect((await h.handle(canceled())).outcome).toBe('cancelled');
    expect(deleteScope.isDone()).toBe(true);
    expect(counted.calls.length).toBeLessThanOrEqual(2);
    expect(shared.reads.count).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
