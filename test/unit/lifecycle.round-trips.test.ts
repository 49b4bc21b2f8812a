import { MemoryBookingStore } from '../../src/store/memory';
import { countingStore } from '../support/counting-store';
import { canceled, created } from '../support/invitee-events';
import { harness } from '../support/lifecycle-harness';

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
