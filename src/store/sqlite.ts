import Database from 'better-sqlite3';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { isFinished, type BookingRecord } from './booking-record';
import type { BookingStore, StoreNotifyOptions } from './booking-store';
import { StoreBusyError, StoreError } from './errors';
import {
  completed,
  DELIVERED_RETENTION_MS,
  FAILED_RETENTION_MS,
  outboxItems,
  queueOf,
  type DeliveryResult,
  type NotificationOutbox,
  type OutboxItem,
  type OutboxStatus,
} from './outbox';
import { openSqliteFile } from './sqlite-open';
import * as rules from './transitions';
import type { Applied, NoticeDraft, Snapshot } from './transitions';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. The directory is created when missing. */
  path: string;
  /** Finished records and tombstones are dropped after this long (default 90 days). */
  retentionSeconds?: number;
  now?: () => number;
  /** Where transitions send notices (the outbox); none by default. */
  notify?: StoreNotifyOptions;
  /**
   * How long one store call waits for a write lock another process holds (a second receiver, the
   * CLI). It waits by retrying asynchronously, so the process keeps answering meanwhile.
   * Default 8 s: inside the receiver's 12 s answer bound.
   */
  busyTimeoutMs?: number;
  /** Injected for tests; real timers otherwise. */
  sleep?: (ms: number) => Promise<void>;
  /** A monotonic clock for lock waits (ms). */
  elapsed?: () => number;
}

const DEFAULT_RETENTION_SECONDS = 90 * 24 * 3600;
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 8_000;
/** /healthz must answer within a second even while a lock is held. */
const PROBE_BUSY_TIMEOUT_MS = 500;
/** A write failure keeps the store reported unhealthy this long unless a write succeeds first. */
const WRITE_FAILURE_MEMORY_MS = 60_000;
/** Expired rows are purged every this many writes, so no timer keeps the process alive. */
const PURGE_EVERY = 500;
/** Write failures that mean the store cannot take writes until someone acts (not a lock). */
const WRITE_FAILURES = new Set([
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
]);

/**
 * The embedded booking store (the self-hosted receiver's default): one SQLite file, WAL mode, and
 * every transition inside one immediate transaction, so two processes on one file cannot race.
 *
 * SQLite's own busy handler would wait for a lock by blocking the thread, freezing every request
 * of the process (and its /healthz) behind one held lock. So the handler is off (busy_timeout 0):
 * a locked write fails at once, and the store retries it on a timer until `busyTimeoutMs`.
 */
export class SqliteBookingStore implements BookingStore {
  private readonly db: Database.Database;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly busyTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly elapsed: () => number;
  private readonly channels: readonly string[];
  private writes = 0;
  /**
   * The last write that failed for want of disk, permission or a sane file, and when: reported by
   * probe() until a write succeeds or it is WRITE_FAILURE_MEMORY_MS old.
   */
  private writeFailure: { error: StoreError; at: number } | null = null;
  private readonly statements;
  readonly outbox: NotificationOutbox;
  private readonly probeWrite: Database.Transaction<(now: number) => void>;

  constructor(options: SqliteStoreOptions) {
    this.retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
    this.sleep = options.sleep ?? ((ms) => sleepMs(ms));
    this.elapsed = options.elapsed ?? (() => performance.now());
    this.channels = options.notify?.channels ?? [];
    this.db = openSqliteFile(options.path);
    const db = this.db;
    this.statements = {
      get: db.prepare<[string, number], { doc: string }>(
        'SELECT doc FROM bookings WHERE event_uuid = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      eventOf: db.prepare<[string, number], { event_uuid: string }>(
        'SELECT event_uuid FROM invitee_index WHERE invitee_uri = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      put: db.prepare<[string, string, number | null]>(
        'INSERT INTO bookings (event_uuid, doc, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(event_uuid) DO UPDATE SET doc = excluded.doc, expires_at = excluded.expires_at',
      ),
      index: db.prepare<[string, string, number | null]>(
        'INSERT INTO invitee_index (invitee_uri, event_uuid, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(invitee_uri) DO UPDATE SET event_uuid = excluded.event_uuid, expires_at = excluded.expires_at',
      ),
      indexExpiry: db.prepare<[number | null, string]>(
        'UPDATE invitee_index SET expires_at = ? WHERE event_uuid = ?',
      ),
      all: db.prepare<[number], { doc: string }>(
        'SELECT doc FROM bookings WHERE expires_at IS NULL OR expires_at > ?',
      ),
      purgeBookings: db.prepare<[number]>('DELETE FROM bookings WHERE expires_at <= ?'),
      purgeIndex: db.prepare<[number]>('DELETE FROM invitee_index WHERE expires_at <= ?'),
      probe: db.prepare<[number]>('INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)'),
      enqueue: db.prepare<[string, string, string, number, string, number]>(
        'INSERT INTO outbox (item_id, queue, status, next_at, doc, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      due: db.prepare<[number, number, number], { doc: string }>(
        `SELECT doc FROM outbox o
         WHERE status = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM outbox e
                           WHERE e.queue = o.queue AND e.status = 'pending' AND e.seq < o.seq)
         ORDER BY seq LIMIT ?`,
      ),
      item: db.prepare<[string], { doc: string }>('SELECT doc FROM outbox WHERE item_id = ?'),
      updateItem: db.prepare<
        [string, number, string | null, number | null, string, number, string]
      >(
        'UPDATE outbox SET status = ?, next_at = ?, lease_owner = ?, lease_until = ?, doc = ?, updated_at = ? WHERE item_id = ?',
      ),
      listAll: db.prepare<[number], { doc: string }>(
        'SELECT doc FROM outbox ORDER BY seq DESC LIMIT ?',
      ),
      listByStatus: db.prepare<[string, number], { doc: string }>(
        'SELECT doc FROM outbox WHERE status = ? ORDER BY seq DESC LIMIT ?',
      ),
      counts: db.prepare<[], { status: OutboxStatus; n: number }>(
        'SELECT status, COUNT(*) AS n FROM outbox GROUP BY status',
      ),
      failedItems: db.prepare<[], { doc: string }>(
        "SELECT doc FROM outbox WHERE status = 'failed' ORDER BY seq",
      ),
      purgeOutbox: db.prepare<[number, number]>(
        "DELETE FROM outbox WHERE (status = 'delivered' AND updated_at <= ?) OR (status = 'failed' AND updated_at <= ?)",
      ),
    };
    this.outbox = this.createOutbox();
    this.probeWrite = db.transaction((now: number) => {
      this.statements.probe.run(now);
    });
  }

  async get(eventUuid: string): Promise<BookingRecord | null> {
    return this.attempt(() => this.read(eventUuid, this.now()));
  }

  async findByInvitee(inviteeUri: string): Promise<BookingRecord | null> {
    return this.attempt(() => {
      const now = this.now();
      const row = this.statements.eventOf.get(inviteeUri, now);
      return row ? this.read(row.event_uuid, now) : null;
    });
  }

  claimCreate = this.transition(rules.claimCreate);
  commitCreate = this.transition(rules.commitCreate);
  beginCancel = this.transition(rules.beginCancel);
  finishCancel = this.transition(rules.finishCancel);
  releaseLease = this.transition(rules.releaseLease);
  forgetMeeting = this.transition(rules.forgetMeeting);
  expirePendingMove = this.transition(rules.expirePendingMove);

  async *list(): AsyncIterable<BookingRecord> {
    const rows = await this.attempt(() => this.statements.all.all(this.now()));
    for (const row of rows) yield JSON.parse(row.doc) as BookingRecord;
  }

  async ping(): Promise<void> {
    await this.attempt(() => this.db.prepare('SELECT 1').get(), {
      budgetMs: PROBE_BUSY_TIMEOUT_MS,
    });
  }

  /**
   * A one-row write in its own transaction, and the last real write failure: a full disk can
   * leave room for this small write while every booking (new pages) fails, so a failure that no
   * success has cleared since keeps the store reported unhealthy.
   */
  async probe(): Promise<void> {
    await this.attempt(() => this.probeWrite.immediate(this.now()), {
      budgetMs: PROBE_BUSY_TIMEOUT_MS,
    });
    const failure = this.writeFailure;
    if (failure && this.elapsed() - failure.at < WRITE_FAILURE_MEMORY_MS) throw failure.error;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private read(eventUuid: string, now: number): BookingRecord | null {
    const row = this.statements.get.get(eventUuid, now);
    return row ? (JSON.parse(row.doc) as BookingRecord) : null;
  }

  private transition<I extends { now: number }, R>(
    rule: (s: Snapshot, input: I) => Applied<R>,
  ): (input: I) => Promise<R> {
    const run = (input: I): R => {
      const snapshot: Snapshot = {
        record: (uuid) => this.read(uuid, input.now),
        eventOfInvitee: (uri) => this.statements.eventOf.get(uri, input.now)?.event_uuid ?? null,
      };
      const { result, writes } = rule(snapshot, input);
      const expiry = new Map<string, number | null>();
      for (const record of writes.records) {
        const expiresAt = isFinished(record) ? input.now + this.retentionMs : null;
        expiry.set(record.eventUuid, expiresAt);
        this.statements.put.run(record.eventUuid, JSON.stringify(record), expiresAt);
        // The index entries live and die with their booking.
        this.statements.indexExpiry.run(expiresAt, record.eventUuid);
      }
      for (const { inviteeUri, eventUuid } of writes.index) {
        const known = expiry.has(eventUuid)
          ? expiry.get(eventUuid)
          : this.expiryOf(eventUuid, input.now);
        this.statements.index.run(inviteeUri, eventUuid, known ?? null);
      }
      this.enqueue(writes.notices);
      return result;
    };
    // IMMEDIATE takes the write lock before the read, so the read-decide-write is atomic across
    // processes too, not only within this one.
    // Created on first use: field initialisers run before the constructor has opened the file.
    let transaction: Database.Transaction<(input: I) => R> | undefined;
    return async (input) =>
      this.attempt(
        () => {
          transaction ??= this.db.transaction(run);
          const result = transaction.immediate(input);
          if (++this.writes % PURGE_EVERY === 0) this.purge(input.now);
          return result;
        },
        { write: true },
      );
  }

  private enqueue(drafts: readonly NoticeDraft[]): void {
    for (const item of outboxItems(drafts, this.channels)) {
      this.statements.enqueue.run(
        item.itemId,
        queueOf(item),
        item.status,
        item.nextAttemptAt,
        JSON.stringify(item),
        item.createdAt,
      );
    }
  }

  private saveItem(item: OutboxItem, now: number): void {
    this.statements.updateItem.run(
      item.status,
      item.nextAttemptAt,
      item.lease?.owner ?? null,
      item.lease?.expiresAt ?? null,
      JSON.stringify(item),
      now,
      item.itemId,
    );
  }

  private createOutbox(): NotificationOutbox {
    const parse = (row: { doc: string }): OutboxItem => JSON.parse(row.doc) as OutboxItem;
    const write = <A extends unknown[], R>(fn: (...args: A) => R) => {
      const transaction = this.db.transaction(fn);
      return (...args: A): Promise<R> =>
        this.attempt(() => transaction.immediate(...args), { write: true });
    };
    const prune = write((now: number) => {
      this.statements.purgeOutbox.run(now - DELIVERED_RETENTION_MS, now - FAILED_RETENTION_MS);
    });
    return {
      claimDue: write((input: { owner: string; now: number; leaseMs: number; limit: number }) =>
        this.statements.due.all(input.now, input.now, input.limit).map((row) => {
          const due = parse(row);
          const item: OutboxItem = {
            ...due,
            attempts: due.attempts + 1,
            lease: { owner: input.owner, expiresAt: input.now + input.leaseMs },
          };
          this.saveItem(item, input.now);
          return item;
        }),
      ),
      complete: write(
        (input: { itemId: string; owner: string; now: number; result: DeliveryResult }) => {
          const row = this.statements.item.get(input.itemId);
          const item = row ? parse(row) : null;
          if (!item || item.status !== 'pending' || item.lease?.owner !== input.owner) return;
          this.saveItem(completed(item, input.now, input.result), input.now);
        },
      ),
      retry: write((input: { itemIds: string[] } | { allFailed: true }, now: number) => {
        const chosen = this.statements.failedItems
          .all()
          .map(parse)
          .filter((item) => 'allFailed' in input || input.itemIds.includes(item.itemId));
        for (const item of chosen) {
          this.saveItem({ ...item, status: 'pending', attempts: 0, nextAttemptAt: now }, now);
        }
        return chosen.length;
      }),
      list: (input) =>
        this.attempt(() => {
          const limit = input.limit ?? -1;
          const rows = input.status
            ? this.statements.listByStatus.all(input.status, limit)
            : this.statements.listAll.all(limit);
          return rows.map(parse).filter((item) => !expired(item, input.now));
        }),
      counts: async (now) => {
        await prune(now);
        const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, failed: 0 };
        const rows = await this.attempt(() => this.statements.counts.all());
        for (const { status, n } of rows) counts[status] = n;
        return counts;
      },
    };
  }

  private expiryOf(eventUuid: string, now: number): number | null {
    const record = this.read(eventUuid, now);
    return record && isFinished(record) ? now + this.retentionMs : null;
  }

  private purge(now: number): void {
    this.statements.purgeBookings.run(now);
    this.statements.purgeIndex.run(now);
    this.statements.purgeOutbox.run(now - DELIVERED_RETENTION_MS, now - FAILED_RETENTION_MS);
  }

  /**
   * Runs `fn`, and while another process holds the write lock, again after a short wait on a
   * timer (never a blocking wait), until the budget has passed: then StoreBusyError, which the
   * receiver answers 503 so Calendly retries.
   */
  private async attempt<T>(
    fn: () => T,
    { budgetMs = this.busyTimeoutMs, write = false }: { budgetMs?: number; write?: boolean } = {},
  ): Promise<T> {
    const started = this.elapsed();
    let pause = 2;
    for (;;) {
      try {
        const result = fn();
        if (write) this.writeFailure = null;
        return result;
      } catch (cause) {
        const code = sqliteCode(cause);
        if (!code?.startsWith('SQLITE_BUSY') && !code?.startsWith('SQLITE_LOCKED')) {
          throw this.failure(cause, code);
        }
        const waited = this.elapsed() - started;
        if (waited >= budgetMs) {
          throw new StoreBusyError(
            `The SQLite store is locked by another process; gave up after ${Math.round(waited)} ms.`,
            { cause },
          );
        }
        await this.sleep(Math.min(pause, budgetMs - waited));
        pause = Math.min(pause * 2, 50);
      }
    }
  }

  private failure(cause: unknown, code: string | null): StoreError {
    if (cause instanceof StoreError) return cause;
    const error = new StoreError(`SQLite store failure: ${(cause as Error).message}`, { cause });
    if (code !== null && WRITE_FAILURES.has(code.split('_').slice(0, 2).join('_'))) {
      this.writeFailure = { error, at: this.elapsed() };
    }
    return error;
  }
}

function expired(item: OutboxItem, now: number): boolean {
  return (
    (item.status === 'delivered' && (item.deliveredAt ?? 0) + DELIVERED_RETENTION_MS <= now) ||
    (item.status === 'failed' && item.nextAttemptAt + FAILED_RETENTION_MS <= now)
  );
}

/** better-sqlite3's SqliteError carries SQLite's extended result code as `code`. */
function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
