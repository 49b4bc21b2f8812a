import type { StoreConfig } from '../config';
import type { BookingStore } from '../store/booking-store';
import type { Reply } from './respond';

/**
 * `GET /healthz`: 200 when the store takes a harmless write (`probe`), 503 otherwise — a store that
 * answers reads but cannot write (disk full, read-only, a lock held too long) fails every delivery,
 * so it is not healthy. The body names the store kind but never why it failed: the endpoint is
 * unauthenticated, and the reason goes to the log.
 */
export async function checkHealth(
  store: Pick<BookingStore, 'probe'>,
  storeKind: StoreConfig['kind'],
): Promise<Reply> {
  try {
    await store.probe();
    return {
      status: 200,
      body: { ok: true, store: storeKind },
      level: 'info',
      fields: { outcome: 'healthy' },
    };
  } catch (error) {
    return {
      status: 503,
      body: { ok: false, store: storeKind, message: 'The booking store cannot take writes.' },
      level: 'warn',
      fields: {
        outcome: 'unhealthy',
        detail: error instanceof Error ? error.message : String(error),
      },
    };
  }
}
