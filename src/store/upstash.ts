import type { Redis } from '@upstash/redis';
import { ConfigError } from '../errors';
import { createUpstashRedis } from '../upstash-client';
import type { BookingRecord } from './booking-record';
import type {
  BeginCancelInput,
  BookingStore,
  CancelResult,
  ClaimCreateInput,
  ClaimResult,
  CommitCreateInput,
  CommitResult,
  ExpirePendingMoveInput,
  ExpireResult,
  FinishCancelInput,
  ForgetMeetingInput,
  ForgetResult,
  ReleaseLeaseInput,
  StoreNotifyOptions,
} from './booking-store';
import { StoreError } from './errors';
import { storeScripts, type StoreScript } from './lua-scripts';
import type { NotificationOutbox, OutboxItem, OutboxStatus } from './outbox';

/**
 * The part of the `@upstash/redis` client the store uses. Any client settings work: results that
 * arrive as strings (`automaticDeserialization: false`) are parsed here, and records are JSON
 * objects whose ids are strings, so the client's own parsing cannot turn an id into a number.
 */
export type UpstashClient = Pick<
  Redis,
  'eval' | 'evalsha' | 'get' | 'mget' | 'scan' | 'ping' | 'set'
>;

export interface UpstashBookingStoreOptions {
  /** Every key the store writes starts with it. Default `cz:`. */
  prefix?: string;
  /** How long finished bookings, tombstones and their index entries are kept. Default 90 days. */
  retentionSeconds?: number;
  /** Where transitions send notices (the outbox); none by default. */
  notify?: StoreNotifyOptions;
}

/** An injected client, or the REST URL and token to make one with. */
export type UpstashConnection = { redis: UpstashClient } | { url: string; token: string };

export const DEFAULT_PREFIX = 'cz:';
export const DEFAULT_RETENTION_SECONDS = 90 * 24 * 3600;

export interface UpstashKeys {
  /** The booking's JSON document. */
  booking(eventUuid: string): string;
  /** The event UUID an invitee belongs to (reschedules name invitees, not events). */
  invitee(inviteeUri: string): string;
  /** SCAN pattern matching every booking document, and nothing under another prefix. */
  bookingPattern: string;
}

/** Where the store keeps what. The Lua prelude derives the same names from the same prefix. */
export function upstashKeys(prefix = DEFAULT_PREFIX): UpstashKeys {
  return {
    booking: (eventUuid: string): string => `${prefix}booking:${eventUuid}`,
    invitee: (inviteeUri: string): string => `${prefix}invitee:${inviteeUri}`,
    // A prefix holding glob characters must match literally.
    bookingPattern: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}booking:*`,
  };
}

/**
 * The booking store on Upstash Redis. Each transition is one Lua script (scripts/*.lua, the rules
 * of transitions.ts), so it costs one HTTP round trip and runs atomically on the server. Live
 * bookings never expire; finished ones and their index entries expire after the retention period.
 */
export function createUpstashBookingStore(
  options: UpstashConnection & UpstashBookingStoreOptions,
): BookingStore {
  const retentionSeconds = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  if (!Number.isInteger(retentionSeconds) || retentionSeconds <= 0) {
    throw new ConfigError(`retentionSeconds must be a positive integer, got ${retentionSeconds}`);
  }
  // Results are parsed here either way; a client of our own skips the client's parsing pass.
  const redis =
    'redis' in options
      ? options.redis
      : createUpstashRedis({ url: options.url, token: options.token });
  return new UpstashBookingStore(
    redis,
    options.prefix ?? DEFAULT_PREFIX,
    retentionSeconds,
    options.notify?.channels ?? [],
  );
}

class UpstashBookingStore implements BookingStore {
  private readonly keys: UpstashKeys;
  private readonly scripts = storeScripts();
  private readonly channels: string;
  readonly outbox: NotificationOutbox;

  constructor(
    private readonly redis: UpstashClient,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
    channels: readonly string[],
  ) {
    this.keys = upstashKeys(prefix);
    this.channels = JSON.stringify(channels);
    this.outbox = this.createOutbox();
  }

  async get(eventUuid: string): Promise<BookingRecord | null> {
    const value = await this.call('get', [], () => this.redis.get(this.keys.booking(eventUuid)));
    return optionalRecord(parse(value), 'get');
  }

  async findByInvitee(inviteeUri: string): Promise<BookingRecord | null> {
    const value = await this.run(this.scripts.findByInvitee, { inviteeUri });
    return optionalRecord(parse(value), 'findByInvitee');
  }

  async claimCreate(input: ClaimCreateInput): Promise<ClaimResult> {
    return transitionResult<ClaimResult>(await this.run(this.scripts.claimCreate, input));
  }

  async commitCreate(input: CommitCreateInput): Promise<CommitResult> {
    // The client quotes a failed command's arguments in its error: keep the host secret out.
    const secrets = input.meeting.startUrl ? [input.meeting.startUrl] : [];
    return transitionResult<CommitResult>(
      await this.run(this.scripts.commitCreate, input, secrets),
    );
  }

  async beginCancel(input: BeginCancelInput): Promise<CancelResult> {
    return transitionResult<CancelResult>(await this.run(this.scripts.beginCancel, input));
  }

  async finishCancel(input: FinishCancelInput): Promise<BookingRecord | null> {
    const result = parse(await this.run(this.scripts.finishCancel, input));
    if (!isObject(result))
      throw new StoreError('Upstash store answered finishCancel without a result');
    return optionalRecord(result.record, 'finishCancel');
  }

  async releaseLease(input: ReleaseLeaseInput): Promise<void> {
    await this.run(this.scripts.releaseLease, input);
  }

  async forgetMeeting(input: ForgetMeetingInput): Promise<ForgetResult> {
    return transitionResult<ForgetResult>(await this.run(this.scripts.forgetMeeting, input));
  }

  async expirePendingMove(input: ExpirePendingMoveInput): Promise<ExpireResult> {
    return transitionResult<ExpireResult>(await this.run(this.scripts.expirePendingMove, input));
  }

  async *list(): AsyncIterable<BookingRecord> {
    let cursor = '0';
    do {
      const [next, keys] = await this.call('list', [], () =>
        this.redis.scan(cursor, { match: this.keys.bookingPattern, count: 200 }),
      );
      cursor = String(next);
      if (keys.length === 0) continue;
      const values = await this.call('list', [], () => this.redis.mget<unknown[]>(keys));
      // A booking that expired between SCAN and MGET reads as null.
      for (const value of values) if (value !== null) yield asRecord(parse(value), 'list');
    } while (cursor !== '0');
  }

  async ping(): Promise<void> {
    await this.call('ping', [], () => this.redis.ping());
  }

  /** A key no booking reads, with a short expiry: fails when the database refuses writes. */
  async probe(): Promise<void> {
    await this.call('probe', [], () =>
      this.redis.set(`${this.prefix}probe`, String(Date.now()), { px: 60_000 }),
    );
  }

  /** Nothing to release: the client speaks stateless HTTP. */
  async close(): Promise<void> {}

  /**
   * EVALSHA, and EVAL when the server has lost the script (restart, failover, SCRIPT FLUSH): the
   * source travels only then, and EVAL caches it again for the next call.
   */
  private run(script: StoreScript, input: object, secrets: string[] = []): Promise<unknown> {
    const args = [this.prefix, JSON.stringify(input), String(this.retentionSeconds), this.channels];
    return this.call(script.name, secrets, async () => {
      try {
        return await this.redis.evalsha(script.sha1, [], args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await this.redis.eval(script.source, [], args);
      }
    });
  }

  private createOutbox(): NotificationOutbox {
    const read = async (input: { status?: OutboxStatus; limit: number; now: number }) => {
      const value = parse(await this.run(this.scripts.outboxRead, input));
      if (!isObject(value) || !isObject(value.counts) || !Array.isArray(value.items)) {
        throw new StoreError('Upstash store answered an outbox listing of the wrong shape');
      }
      return value as unknown as { counts: Record<OutboxStatus, number>; items: OutboxItem[] };
    };
    return {
      claimDue: async (input) => {
        const items = parse(await this.run(this.scripts.outboxClaim, input));
        if (!Array.isArray(items)) throw new StoreError('Upstash store answered claimDue wrongly');
        return items as OutboxItem[];
      },
      complete: async (input) => {
        await this.run(this.scripts.outboxComplete, input);
      },
      retry: async (input, now) => {
        const count = Number(parse(await this.run(this.scripts.outboxRetry, { ...input, now })));
        if (!Number.isInteger(count)) throw new StoreError('Upstash store answered retry wrongly');
        return count;
      },
      list: async ({ status, limit = -1, now }) => {
        const { items } = await read({ status, limit, now });
        // Each status comes newest first; merged, the newest of them all comes first.
        return items
          .sort((a, b) => b.createdAt - a.createdAt)
          .slice(0, limit < 0 ? undefined : limit);
      },
      counts: async (now) => (await read({ limit: 0, now })).counts,
    };
  }

  private async call<T>(operation: string, secrets: string[], send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new StoreError(`Upstash store: ${operation} failed: ${summary(error, secrets)}`, {
        cause: redact(error, secrets),
      });
    }
  }
}

// "NOSCRIPT …" on its own request, "Command failed: NOSCRIPT …" inside an auto-pipelined batch.
function isNoScript(error: unknown): boolean {
  return error instanceof Error && /^(Command failed: )?NOSCRIPT/.test(error.message);
}

/** The server's reason, without the command the client appends (script source, arguments). */
function summary(error: unknown, secrets: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrub(message.split(', command was: ')[0] ?? message, secrets);
}

function redact(error: unknown, secrets: string[]): unknown {
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  error.message = scrub(error.message, secrets);
  if (error.stack) error.stack = scrub(error.stack, secrets);
  return error;
}

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}

function parse(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new StoreError('Upstash store answered something that is not JSON', { cause: error });
  }
}

/** Our scripts answer `{type, record, from?, inviteeAdded?}`; the rules decide which. */
function transitionResult<R extends { type: string }>(value: unknown): R {
  const result = parse(value);
  if (!isObject(result) || typeof result.type !== 'string') {
    throw new StoreError('Upstash store answered a transition without a result type');
  }
  optionalRecord(result.record, result.type);
  if (result.from !== undefined) asRecord(result.from, result.type);
  return result as unknown as R;
}

function optionalRecord(value: unknown, context: string): BookingRecord | null {
  return value === null || value === undefined ? null : asRecord(value, context);
}

/** Enough of a check to catch a foreign value under our keys or an id turned into a number. */
function asRecord(value: unknown, context: string): BookingRecord {
  const meeting = isObject(value) ? value.meeting : undefined;
  if (
    !isObject(value) ||
    typeof value.eventUuid !== 'string' ||
    typeof value.status !== 'string' ||
    !isObject(value.invitees) ||
    !Array.isArray(value.audit) ||
    !(meeting === null || (isObject(meeting) && typeof meeting.id === 'string'))
  ) {
    throw new StoreError(`Upstash store (${context}) holds something that is not a booking record`);
  }
  return value as unknown as BookingRecord;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
