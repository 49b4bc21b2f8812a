import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimCreateInput } from '../../src/store/booking-store';
import { StoreBusyError, StoreError, StoreOpenError } from '../../src/store/errors';
import { SqliteBookingStore } from '../../src/store/sqlite';

// What only the SQLite adapter can get wrong: waiting for another process's lock without freezing
// this one, saying why it cannot open a file, and noticing that it can no longer write.

const T0 = Date.parse('2026-11-26T12:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cz-sqlite-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function claim(event = 'ev-1'): ClaimCreateInput {
  return {
    eventUuid: event,
    eventUri: `https://api.calendly.com/scheduled_events/${event}`,
    inviteeUri: `https://api.calendly.com/scheduled_events/${event}/invitees/a`,
    owner: 'w1',
    now: T0,
    leaseMs: 60_000,
    startTime: '2026-12-01T15:00:00Z',
    durationMinutes: 30,
    reschedule: null,
    rescheduleMode: 'recreate',
  };
}

/** Another process (here: another connection) holding the write lock. */
function holdLock(path: string): { release(): void } {
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      other.exec('COMMIT');
      other.close();
    },
  };
}

describe('a write lock held by another process', () => {
  it('is waited for on timers: the event loop keeps running meanwhile', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path, busyTimeoutMs: 400 });
    const lock = holdLock(path);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      await expect(store.claimCreate(claim())).rejects.toBeInstanceOf(StoreBusyError);
      // With SQLite's own busy handler the thread would sleep the whole wait and no tick would run.
      expect(ticks).toBeGreaterThan(3);
    } finally {
      clearInterval(ticker);
      lock.release();
      await store.close();
    }
  });

  it('gives up with store_busy naming how long it waited', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path, busyTimeoutMs: 150 });
    const lock = holdLock(path);
    try {
      const error = await store.claimCreate(claim()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreBusyError);
      expect((error as StoreBusyError).kind).toBe('store_busy');
      expect((error as Error).message).toMatch(/locked by another process; gave up after \d+ ms/);
    } finally {
      lock.release();
      await store.close();
    }
  });

  it('goes ahead as soon as the lock is released within the wait', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path, busyTimeoutMs: 5000 });
    const lock = holdLock(path);
    setTimeout(() => lock.release(), 100);
    expect((await store.claimCreate(claim())).type).toBe('claimed');
    await store.close();
  });

  it('lets reads through while another process writes (WAL)', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path, busyTimeoutMs: 100 });
    await store.claimCreate(claim());
    const lock = holdLock(path);
    try {
      expect((await store.get('ev-1'))?.status).toBe('creating');
    } finally {
      lock.release();
      await store.close();
    }
  });

  it('fails the health probe within a second instead of waiting the whole budget', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path, busyTimeoutMs: 8000 });
    const lock = holdLock(path);
    const started = Date.now();
    try {
      await expect(store.probe()).rejects.toBeInstanceOf(StoreBusyError);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      lock.release();
      await store.close();
    }
  });
});

describe('a store that can be read but not written', () => {
  it('is reported by the probe after a write failed for want of space, until a write succeeds', async () => {
    const path = join(dir, 'store.db');
    const store = new SqliteBookingStore({ path });
    await expect(store.probe()).resolves.toBeUndefined();
    // "database or disk is full" without filling a disk: no page may be added any more.
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big = claim();
    big.startTime = 'x'.repeat(20_000);
    const failure = await store.claimCreate(big).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toContain('full');
    await expect(store.probe()).rejects.toThrow('full');

    db.pragma('max_page_count = 1000000');
    await store.claimCreate(claim('ev-2'));
    await expect(store.probe()).resolves.toBeUndefined();
    await store.close();
  });
});

describe('opening the file', () => {
  function openError(path: string): StoreOpenError {
    try {
      new SqliteBookingStore({ path });
    } catch (error) {
      expect(error).toBeInstanceOf(StoreOpenError);
      return error as StoreOpenError;
    }
    throw new Error('the store opened');
  }

  it('creates missing directories', async () => {
    const store = new SqliteBookingStore({ path: join(dir, 'a', 'b', 'store.db') });
    await expect(store.probe()).resolves.toBeUndefined();
    await store.close();
  });

  it('names a file in the way of a directory (ENOTDIR)', () => {
    writeFileSync(join(dir, 'file'), 'x');
    const error = openError(join(dir, 'file', 'sub', 'store.db'));
    expect(error.code).toBe('ENOTDIR');
    expect(error.message).toContain(join(dir, 'file'));
    expect(error.message).toContain('not a directory');
  });

  it('names a directory given as the file (EISDIR or SQLite cannot open)', () => {
    mkdirSync(join(dir, 'store.db'));
    const error = openError(join(dir, 'store.db'));
    expect(error.message).toMatch(/Cannot open the SQLite store at .*store\.db: \S+ — /);
  });

  it('names a file that is not a database', () => {
    writeFileSync(join(dir, 'store.db'), 'this is not sqlite '.repeat(100));
    const error = openError(join(dir, 'store.db'));
    expect(error.code).toMatch(/^SQLITE_NOTADB/);
    expect(error.message).toContain('not a SQLite database');
  });

  it('returns at once with ENOENT for a directory that cannot exist (/proc), instead of hanging', () => {
    const error = openError('/proc/self/nope/x.db');
    expect(error.code).toBe('ENOENT');
    expect(error.message).toContain('/proc/self/nope');
  });
});
