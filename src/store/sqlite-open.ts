import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, parse, resolve, join } from 'node:path';
import { StoreOpenError } from './errors';

/** While opening, another process may be creating the schema: a short blocking wait is fine. */
const OPEN_BUSY_TIMEOUT_MS = 5_000;

const SCHEMA = `
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
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL UNIQUE,
    queue TEXT NOT NULL,
    status TEXT NOT NULL,
    next_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    doc TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_at);
  CREATE INDEX IF NOT EXISTS outbox_queue ON outbox (queue, status, seq);
  CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
`;

/** What to do about each failure an operator can meet when pointing STORE_PATH somewhere. */
const ADVICE: Record<string, string> = {
  ENOENT: 'a directory on the way cannot be created there; choose another STORE_PATH',
  ENOTDIR: 'a part of the path is a file, not a directory; fix STORE_PATH',
  EISDIR:
    'the path is a directory; STORE_PATH must name a file inside it, e.g. ./data/calendly-zoom.db',
  EACCES:
    "permission denied; let this process's user write the directory, or set STORE_PATH elsewhere",
  EPERM: "not permitted; let this process's user write the directory, or set STORE_PATH elsewhere",
  EROFS: 'the file system is read-only; mount it writable or set STORE_PATH to a writable place',
  ENOSPC: 'the disk is full; free space or set STORE_PATH to another disk',
  SQLITE_CANTOPEN:
    'SQLite cannot open or create the file (missing directory, permissions, or read-only location); check STORE_PATH',
  SQLITE_READONLY:
    'the file or its directory is read-only; SQLite needs to write the file and its -wal/-shm files beside it',
  SQLITE_NOTADB: 'the file is not a SQLite database; point STORE_PATH at a new file',
  SQLITE_CORRUPT:
    'the database file is corrupt; restore it from a backup or point STORE_PATH at a new file',
  SQLITE_FULL: 'the disk is full; free space or set STORE_PATH to another disk',
  SQLITE_BUSY: 'another process holds the file locked; stop it or use another STORE_PATH',
};

/**
 * Opens (creating when missing) the store's SQLite file in WAL mode with its schema. Every failure
 * becomes a StoreOpenError naming the path, the code and what to do.
 */
export function openSqliteFile(path: string): Database.Database {
  if (path !== ':memory:') ensureDirectory(dirname(path), path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    // From here on a held lock must never block the thread: the store waits on timers instead.
    db.pragma('busy_timeout = 0');
    return db;
  } catch (cause) {
    db?.close();
    throw openError(path, cause);
  }
}

/**
 * mkdir -p by hand: Node's recursive mkdir never returns for some paths (under /proc, for one),
 * so each missing directory is made on its own and the first that fails is reported.
 */
function ensureDirectory(dir: string, path: string): void {
  const absolute = resolve(dir);
  const { root } = parse(absolute);
  let current = root;
  for (const part of absolute.slice(root.length).split(/[\\/]/).filter(Boolean)) {
    current = join(current, part);
    try {
      if (!statSync(current).isDirectory()) {
        throw Object.assign(new Error(`${current} is not a directory`), { code: 'ENOTDIR' });
      }
    } catch (cause) {
      if (codeOf(cause) !== 'ENOENT') throw openError(path, cause, current);
      try {
        mkdirSync(current);
      } catch (mkdirCause) {
        throw openError(path, mkdirCause, current);
      }
    }
  }
}

function openError(path: string, cause: unknown, at?: string): StoreOpenError {
  const code = codeOf(cause);
  const base = code?.match(/^(SQLITE_[A-Z]+|E[A-Z]+)/)?.[1] ?? null;
  const advice = (base && ADVICE[base]) ?? 'check STORE_PATH';
  const where = at && at !== path ? ` (at ${at})` : '';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreOpenError(
    `Cannot open the SQLite store at ${path}${where}: ${code ?? reason} — ${advice}.`,
    path,
    code,
    { cause },
  );
}

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
