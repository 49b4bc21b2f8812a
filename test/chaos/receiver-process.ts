import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLOCK_ADVANCED_MESSAGE, writeClockPreload } from './clock-preload';
import { RECEIVER_MAIN } from './paths';

export interface ReceiverProcessOptions {
  /** The receiver's whole environment (besides PATH): nothing leaks in from the test's own. */
  env: Record<string, string>;
  /** Working directory: a scratch one, so no `.env` of the developer's is loaded. */
  cwd: string;
  /** How far each clock step (restart, advanceClock) moves the receiver's clock. */
  clockStepMs: number;
}

/** What the receiver's JSON log said, counted. */
export interface ReceiverLogStats {
  requests: Record<string, number>;
  /** Error-level lines by message, and the first line of each message whole. */
  errors: Record<string, number>;
  errorLines: string[];
  recoveredOrphans: number;
  finishedAfterTimeout: number;
  stderr: string[];
  /** Every line, for diagnosing a broken invariant. */
  lines: string[];
}

export interface ReceiverProcess {
  webhookUrl(): string;
  /** How far ahead of real time the receiver's clock runs. */
  clockOffsetMs(): number;
  /** SIGKILL, as a crash or an OOM kill would: no shutdown, no lease released. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store, the clock one step on (leases left have run out). */
  restart(): Promise<void>;
  /** Moves the running receiver's clock one step on. */
  advanceClock(): Promise<void>;
  /** SIGTERM and wait for the graceful exit (SIGKILL if it hangs). */
  stop(): Promise<void>;
  readonly stats: ReceiverLogStats;
  readonly starts: number;
}

const KEPT_ERROR_LINES = 10;

export function emptyLogStats(): ReceiverLogStats {
  return {
    requests: {},
    errors: {},
    errorLines: [],
    recoveredOrphans: 0,
    finishedAfterTimeout: 0,
    stderr: [],
    lines: [],
  };
}
const STOP_GRACE_MS = 30_000;

/** `node dist/src/cli/main.js serve` as its own process, with a movable clock. */
export async function startReceiverProcess(
  options: ReceiverProcessOptions,
): Promise<ReceiverProcess> {
  const preload = writeClockPreload(options.cwd);
  const stats = emptyLogStats();
  let offsetMs = 0;
  let port = 0;
  let starts = 0;
  let child: ChildProcess | null = null;
  let waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];

  const onLine = (text: string): void => {
    stats.lines.push(text);
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      stats.stderr.push(`stdout: ${text}`);
      return;
    }
    const message = String(line.message);
    if (message === 'request') {
      const status = String(line.status);
      stats.requests[status] = (stats.requests[status] ?? 0) + 1;
    } else if (message === 'recovered a meeting whose creation was never recorded') {
      stats.recoveredOrphans += 1;
    } else if (message === 'request finished after its timeout') {
      stats.finishedAfterTimeout += 1;
    }
    if (line.level === 'error') {
      const seen = stats.errors[message] ?? 0;
      stats.errors[message] = seen + 1;
      if (seen === 0 && stats.errorLines.length < KEPT_ERROR_LINES) stats.errorLines.push(text);
    }
    const matched = waiters.filter((w) => w.message === message);
    waiters = waiters.filter((w) => w.message !== message);
    for (const w of matched) w.resolve(line);
  };

  const logged = (message: string, proc: ChildProcess): Promise<Record<string, unknown>> =>
    new Promise((resolveLine, reject) => {
      const onExit = (code: number | null, signal: string | null): void =>
        reject(
          new Error(
            `receiver exited (${signal ?? code}) before logging "${message}": ${stats.stderr.join('')}`,
          ),
        );
      proc.once('exit', onExit);
      waiters.push({
        message,
        resolve: (line) => {
          proc.off('exit', onExit);
          resolveLine(line);
        },
      });
    });

  const launch = async (): Promise<void> => {
    const proc = spawn(
      process.execPath,
      ['-r', preload, RECEIVER_MAIN, 'serve', '--port', String(port)],
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH ?? '',
          ...options.env,
          CHAOS_CLOCK_OFFSET_MS: String(offsetMs),
          CHAOS_CLOCK_STEP_MS: String(options.clockStepMs),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    starts += 1;
    if (proc.stdout) createInterface({ input: proc.stdout }).on('line', onLine);
    proc.stderr?.on('data', (chunk: Buffer) => stats.stderr.push(chunk.toString('utf8')));
    const listening = await logged('receiver listening', proc);
    port = Number(new URL(String(listening.url)).port);
  };

  const exited = (proc: ChildProcess): Promise<void> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise((done) => proc.once('exit', () => done()));

  await launch();

  return {
    webhookUrl: () => `http://127.0.0.1:${port}/webhooks/calendly`,
    clockOffsetMs: () => offsetMs,
    async kill() {
      if (!child) return;
      const proc = child;
      child = null;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async restart() {
      offsetMs += options.clockStepMs;
      await launch();
    },
    async advanceClock() {
      if (!child) throw new Error('the receiver is not running');
      const advanced = logged(CLOCK_ADVANCED_MESSAGE, child);
      child.kill('SIGUSR2');
      offsetMs = Number((await advanced).offsetMs);
    },
    async stop() {
      if (!child) return;
      const proc = child;
      child = null;
      const hung = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      proc.kill('SIGTERM');
      await exited(proc);
      clearTimeout(hung);
    },
    stats,
    get starts() {
      return starts;
    },
  };
}
