import type { BookingRecord } from '../../src/store/booking-record';
import { upstashKeys } from '../../src/store/upstash';
import { deleteKeysByPrefix, rawRedis } from '../support/redis-test-env';

/** Each run keeps its keys under a prefix of its own (UPSTASH_KEY_PREFIX): runs never meet. */
export function runPrefix(runId: string): string {
  return `chaos:${runId}:`;
}

/** Straight from Redis, behind the bridge's back: the check must not depend on the receiver's code. */
export async function readRecords(
  prefix: string,
  eventUuids: string[],
): Promise<Map<string, BookingRecord | null>> {
  const redis = rawRedis();
  const keys = upstashKeys(prefix);
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

/** Removes every key the run wrote: bookings, invitee index, outbox, Zoom token. */
export async function forgetRun(prefix: string): Promise<void> {
  const redis = rawRedis();
  try {
    await deleteKeysByPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
