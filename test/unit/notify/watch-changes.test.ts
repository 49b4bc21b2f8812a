import { watchChanges } from '../../../src/notify/watch-changes';
import { MemoryBookingStore } from '../../../src/store/memory';
import { SqliteBookingStore } from '../../../src/store/sqlite';
import type { BookingStore } from '../../../src/store/booking-store';
import { claimInput } from '../../support/store-inputs';
import { settle } from './notify-test-kit';

/** Every call that only reads, the health probe included: none may wake the dispatcher. */
async function readEverything(store: BookingStore): Promise<void> {
  await store.get('evt');
  await store.findByInvitee('inv');
  await store.ping();
  await store.probe();
  for await (const record of store.list()) void record;
}

describe('watchChanges', () => {
  it('wakes the dispatcher after every state-changing store call, not after reads or the health probe', async () => {
    let wakes = 0;
    const store = watchChanges(new MemoryBookingStore(), () => (wakes += 1));

    await readEverything(store);
    await settle();
    expect(wakes).toBe(0);

    const claim = await store.claimCreate(claimInput());
    await settle();
    expect(claim.type).toBe('claimed');
    expect(wakes).toBe(1);
  });

  it('is not woken by the SQLite store reading or probing through its own helpers', async () => {
    let wakes = 0;
    const sqlite = new SqliteBookingStore({ path: ':memory:' });
    const store = watchChanges(sqlite, () => (wakes += 1));

    await readEverything(store);
    await settle();
    await sqlite.close();

    expect(wakes).toBe(0);
  });

  it('wakes it after a call that failed too: the change may have been made', async () => {
    let wakes = 0;
    const inner = new MemoryBookingStore();
    inner.releaseLease = async () => {
      throw new Error('store down');
    };
    const store = watchChanges(inner, () => (wakes += 1));
    await expect(
      store.releaseLease({ eventUuid: 'e', owner: 'o', now: 1, certainNoMeeting: false }),
    ).rejects.toThrow('store down');
    await settle();
    expect(wakes).toBe(1);
  });
});
