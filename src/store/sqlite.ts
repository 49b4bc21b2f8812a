import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isFinished, type BookingRecord } from './booking-record';
import type { BookingStore } from './booking-store';
import { StoreError } from './errors';
import * as rules from './transitions';
import type { Applied, Snapshot } from './transitions';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. The directory is created when missing. */
  path: string;
  /** Finished records and tombstones are dropped after this long (default 90 days). */
  retentionSeconds?: number;
  now?: () => number;
}

const DEFAULT_RETENTION_SECONDS = 90 * 24 * 3600;
/** Expired rows are purged every this many writes, so no timer keeps the process alive. */
const PURGE_EVERY = 500;

/**
 * The embedded booking store (the self-hosted receiver's default): one SQLite file, WAL mode, and
 * every transition inside one immediate transaction, so two processes on one file cannot race.
 */
export class SqliteBookingStore implements BookingStore {
  private readonly db: Database.Database;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private writes = 0;
  private readonly statements;

  constructor(options: SqliteStoreOptions) {
    this.retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path);
      this.db.pragma('journal_mode = WAL');
      // Another process (a second receiver, the CLI's reconcile) may hold the write lock briefly.
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS bookings (
          event_uuid TEXT PRIMARY KEY,
          doc TEXT NOT NULL,
          expires_at INTEGER
        );
        CREATE TABLE IF NOT EXISTS invitee_index (
          invitee_uri TEXT PRIMARY KEY,
          event_uuid TEXT NOT NULL,
          expires_at INTEGER
        );
      `);
    } catch (cause) {
      throw new StoreError(`Cannot open the SQLite store at ${options.path}.`, { cause });
    }
    this.statements = {
      get: this.db.prepare<[string, number], { doc: string }>(
        'SELECT doc FROM bookings WHERE event_uuid = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      eventOf: this.db.prepare<[string, number], { event_uuid: string }>(
        'SELECT event_uuid FROM invitee_index WHERE invitee_uri = ? AND (expires_at IS NULL OR expires_at > ?)',
      ),
      put: this.db.prepare<[string, string, number | null]>(
        'INSERT INTO bookings (event_uuid, doc, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(event_uuid) DO UPDATE SET doc = excluded.doc, expires_at = excluded.expires_at',
      ),
      index: this.db.prepare<[string, string, number | null]>(
        'INSERT INTO invitee_index (invitee_uri, event_uuid, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(invitee_uri) DO UPDATE SET event_uuid = excluded.event_uuid, expires_at = excluded.expires_at',
      ),
      indexExpiry: this.db.prepare<[number | null, string]>(
        'UPDATE invitee_index SET expires_at = ? WHERE event_uuid = ?',
      ),
      all: this.db.prepare<[number], { doc: string }>(
        'SELECT doc FROM bookings WHERE expires_at IS NULL OR expires_at > ?',
      ),
      purgeBookings: this.db.prepare<[number]>('DELETE FROM bookings WHERE expires_at <= ?'),
      purgeIndex: this.db.prepare<[number]>('DELETE FROM invitee_index WHERE expires_at <= ?'),
    };
  }

  async get(eventUuid: string): Promise<BookingRecord | null> {
    return this.guard(() => this.read(eventUuid, this.now()));
  }

  async findByInvitee(inviteeUri: string): Promise<BookingRecord | null> {
    return this.guard(() => {
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

  async *list(): AsyncIterable<BookingRecord> {
    const rows = this.guard(() => this.statements.all.all(this.now()));
    for (const row of rows) yield JSON.parse(row.doc) as BookingRecord;
  }

  async ping(): Promise<void> {
    this.guard(() => this.db.prepare('SELECT 1').get());
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
      return result;
    };
    // IMMEDIATE takes the write lock before the read, so the read-decide-write is atomic across
    // processes too, not only within this one.
    // Created on first use: field initialisers run before the constructor has opened the file.
    let transaction: Database.Transaction<(input: I) => R> | undefined;
    return async (input) =>
      this.guard(() => {
        transaction ??= this.db.transaction(run);
        const result = transaction.immediate(input);
        if (++this.writes % PURGE_EVERY === 0) this.purge(input.now);
        return result;
      });
  }

  private expiryOf(eventUuid: string, now: number): number | null {
    const record = this.read(eventUuid, now);
    return record && isFinished(record) ? now + this.retentionMs : null;
  }

  private purge(now: number): void {
    this.statements.purgeBookings.run(now);
    this.statements.purgeIndex.run(now);
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`SQLite store failure: ${(cause as Error).message}`, { cause });
    }
  }
}
