import type { StoreConfig } from '../config';
import type { BookingStore } from '../store/booking-store';
import type { Reply } from './respond';

/**
 * `GET /healthz`: 200 when the store answers a ping, 503 otherwise. The body names the store kind
 * but never why it failed: the endpoint is unauthenticated, and the reason goes to the log.
 */
export async function checkHealth(
  store: Pick<BookingStore, 'ping'>,
  storeKind: StoreConfig['kind'],
): Promise<Reply> {
  try {
    await store.ping();
    return {
      status: 200,
      body: { ok: true, store: storeKind },
      level: 'info',
      fields: { outcome: 'healthy' },
    };
  } catch (error) {
    return {
      status: 503,
      body: { ok: false, store: storeKind, message: 'The booking store is not reachable.' },
      level: 'warn',
      fields: {
        outcome: 'unhealthy',
        detail: error instanceof Error ? error.message : String(error),
      },
    };
  }
}
