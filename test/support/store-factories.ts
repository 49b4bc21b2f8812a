import type { BookingStore, StoreNotifyOptions } from '../../src/store/booking-store';
import { MemoryBookingStore } from '../../src/store/memory';
import { SqliteBookingStore } from '../../src/store/sqlite';
import { createUpstashBookingStore } from '../../src/store/upstash';
import { deleteKeysByPrefix, rawRedis, uniquePrefix } from './redis-test-env';
import { startUpstashBridge, type UpstashBridge } from './upstash-bridge';

export interface StoreFactory {
  name: string;
  create(options?: { notify?: StoreNotifyOptions }): Promise<BookingStore>;
}

let bridge: Promise<UpstashBridge> | null = null;
const prefixes: string[] = [];

/**
 * Every adapter the contract suite holds to the same behaviour. The Upstash one runs the real
 * @upstash/redis client and the real Lua scripts against the local Redis through the bridge.
 */
export function storeFactories(): StoreFactory[] {
  return [
    { name: 'memory', create: async (options) => new MemoryBookingStore(options) },
    {
      name: 'sqlite',
      create: async (options) => new SqliteBookingStore({ path: ':memory:', ...options }),
    },
    {
      name: 'upstash',
      create: async (options) => {
        bridge ??= startUpstashBridge();
        const { url, token } = await bridge;
        const prefix = uniquePrefix('contract');
        prefixes.push(prefix);
        return createUpstashBookingStore({ url, token, prefix, ...options });
      },
    },
  ];
}

/** Stops the bridge and deletes every key the Upstash stores wrote. Call from afterAll. */
export async function closeStoreFactories(): Promise<void> {
  if (!bridge) return;
  const redis = rawRedis();
  try {
    for (const prefix of prefixes.splice(0)) await deleteKeysByPrefix(redis, prefix);
  } finally {
    await redis.quit();
    await (await bridge).close();
    bridge = null;
  }
}
