// One attacker process of the receiver soak (bench/soak/receiver-floods.ts). It keeps
// `connections` hostile connections open against the receiver for `durationMs`: each one is
// reopened a moment after the receiver closes it, so the pressure never lets up. Its own process,
// because every connection costs this side a file descriptor too (ulimit -n), and so the receiver
// is measured alone. Prints one JSON summary line when done.

import { connect, type Socket } from 'node:net';
import { percentile } from '../stats';

export type FloodKind =
  /** Headers, then just under the declared body, then silence: bytes held as long as possible. */
  | 'heldBody'
  /** The request line and then one header line every `dripMs`, never the end of the head. */
  | 'slowHeaders';

export interface FloodConfig {
  kind: FloodKind;
  port: number;
  connections: number;
  durationMs: number;
  /** slowHeaders: pause between header lines. */
  dripMs: number;
  /** heldBody: the declared Content-Length; the client sends it less `shortByBytes`. */
  bodyBytes: number;
  shortByBytes: number;
  /** How long a closed connection waits before it is opened again. */
  reopenMs: number;
  /** Connections opened per event-loop turn at the start, so the SYN backlog is not the test. */
  openBatch: number;
}

export interface FloodSummary {
  kind: FloodKind;
  opened: number;
  /** Closed by the receiver (or reset) before the run ended. */
  closedByReceiver: number;
  /** How long the receiver kept a connection open, for the connections it closed. */
  heldMs: { median: number; p99: number; max: number };
  /** The oldest connection still open when the run ended: one the receiver never closed. */
  openAtEndMaxMs: number;
  /** Status lines the receiver wrote back, by status (`none` when it closed without one). */
  answers: Record<string, number>;
  errors: Record<string, number>;
}

const HEAD_START = 'POST /webhooks/calendly HTTP/1.1\r\nHost: soak\r\n';

async function flood(config: FloodConfig): Promise<FloodSummary> {
  const endAt = Date.now() + config.durationMs;
  const held: number[] = [];
  const answers: Record<string, number> = {};
  const errors: Record<string, number> = {};
  /** Each open connection, with when its handshake completed (0: not yet). */
  const open = new Map<Socket, number>();
  let opened = 0;
  const count = (bag: Record<string, number>, key: string): void => {
    bag[key] = (bag[key] ?? 0) + 1;
  };
  const body = Buffer.alloc(Math.max(0, config.bodyBytes - config.shortByBytes), 'x');

  const openOne = (): void => {
    if (Date.now() >= endAt) return;
    opened += 1;
    // From the handshake on: time in the kernel's SYN and accept queues (a storm of connects
    // overflows them, and SYNs are retried after 1, 3, 7 … s) is not the receiver holding anything.
    let started = 0;
    const socket = connect(config.port, '127.0.0.1');
    open.set(socket, 0);
    let firstBytes = '';
    let drip: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (firstBytes.length < 16) firstBytes += chunk.toString('latin1', 0, 16);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => count(errors, error.code ?? 'error'));
    socket.on('connect', () => {
      started = Date.now();
      open.set(socket, started);
      if (config.kind === 'heldBody') {
        socket.write(
          `${HEAD_START}Content-Type: application/json\r\nContent-Length: ${config.bodyBytes}\r\n\r\n`,
        );
        socket.write(body);
      } else {
        socket.write(HEAD_START);
        drip = setInterval(() => socket.write('X-Slow: 1\r\n'), config.dripMs);
      }
    });
    socket.on('close', () => {
      clearInterval(drip);
      open.delete(socket);
      // Our own shutdown at the end is not the receiver closing anything.
      if (Date.now() >= endAt) return;
      if (started > 0) {
        held.push(Date.now() - started);
        count(answers, /^HTTP\/1\.1 (\d{3})/.exec(firstBytes)?.[1] ?? 'none');
      } else {
        count(answers, 'never connected');
      }
      setTimeout(openOne, config.reopenMs);
    });
  };

  for (let i = 0; i < config.connections; i++) {
    openOne();
    if ((i + 1) % config.openBatch === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, endAt - Date.now())));
  const now = Date.now();
  let openAtEndMaxMs = 0;
  for (const [socket, since] of open) {
    if (since > 0) openAtEndMaxMs = Math.max(openAtEndMaxMs, now - since);
    socket.destroy();
  }

  return {
    kind: config.kind,
    opened,
    closedByReceiver: held.length,
    heldMs: { median: percentile(held, 50), p99: percentile(held, 99), max: percentile(held, 100) },
    openAtEndMaxMs,
    answers,
    errors,
  };
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as FloodConfig;
  flood(config).then(
    (summary) => process.stdout.write(`${JSON.stringify(summary)}\n`),
    (error: unknown) => {
      process.stderr.write(`flood client failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
