import type { BookingRecord } from '../../src/store/booking-record';
import { DEFAULT_PREFIX, upstashKeys } from '../../src/store/upstash';
import { scheduledEventUri } from '../support/calendly-payloads';
import { deleteKeysByPrefix, rawRedis } from '../support/redis-test-env';

/** Straight from Redis, behind the bridge's back: the check must not depend on the receiver's code. */
export async function readRecords(
  eventUuids: string[],
): Promise<Map<string, BookingRecord | null>> {
  const redis = rawRedis();
  const keys = upstashKeys(DEFAULT_PREFIX);
  try {
    const values = eventUuids.length === 0 ? [] : await redis.mget(eventUuids.map(keys.booking));
    return new Map(
      eventUuids.map((uuid, i) => {
        const value = values[i];
        return [uuid, value ? (JSON.parse(value) as BookingRecord) : null];
      }),
    );
  } finally {
    redis.disconnect();
  }
}

/** Removes every key the run wrote: its bookings, their invitee index, its Zoom token. */
export async function forgetRun(runId: string, zoomAccountId: string): Promise<void> {
  const redis = rawRedis();
  try {
    for (const prefix of [
      `${DEFAULT_PREFIX}booking:${runId}-`,
      `${DEFAULT_PREFIX}invitee:${scheduledEventUri(runId)}-`,
      `${DEFAULT_PREFIX}zoom-token:zoom-token:${zoomAccountId}:`,
    ]) {
      await deleteKeysByPrefix(redis, prefix);
    }
  } finally {
    redis.disconnect();
  }
}

/** The outbox is global to the store's prefix: each run starts and ends without one. */
export async function forgetOutbox(): Promise<void> {
  const redis = rawRedis();
  try {
    await deleteKeysByPrefix(redis, `${DEFAULT_PREFIX}outbox:`);
  } finally {
    redis.disconnect();
  }
}
