import type { BookingStore } from '../../src/store/booking-store';
import { MemoryBookingStore } from '../../src/store/memory';
import { SqliteBookingStore } from '../../src/store/sqlite';

export interface StoreFactory {
  name: string;
  create(): Promise<BookingStore>;
}

/** Every adapter the contract suite holds to the same behaviour. */
export function storeFactories(): StoreFactory[] {
  return [
    { name: 'memory', create: async () => new MemoryBookingStore() },
    { name: 'sqlite', create: async () => new SqliteBookingStore({ path: ':memory:' }) },
  ];
}
