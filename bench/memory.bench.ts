// Does the receiver's memory stay flat over 100,000 deliveries? The receiver's request handler
// (signature, parse, lifecycle, reply), the real Zoom client and token cache, and the SQLite file
// store run in this process; only Zoom itself is an in-process fake behind the HTTP port, so the
// loop is fast. Traffic is steady state: bookings, duplicates, group joins, reschedules,
// cancellations before creations, and every booking cancelled after 500 more have arrived, so
// nothing the traffic itself keeps (live meetings) grows.
//
// Heap is measured after a full GC at 10k and at 100k deliveries. Target: growth < 10 MB. Every
// cache on the path is bounded (token cache: one entry per Zoom app, at most 100; SQLite's page
// cache: 2 MB by default, and outside the JS heap; the audit trail: 20 entries per record, on
// disk). A leak of one small object per delivery (a 120-byte promise or closure kept in a set) is
// 90,000 × 120 B ≈ 10 MB between the two checkpoints; GC noise after a full collection is well
// under 1 MB. So the bound catches a per-delivery leak of anything larger than a pointer-sized
// trifle, and the per-delivery figure is printed so a smaller one shows as a trend.

import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { buildSampleEvent } from '../src/calendly/sample-events';
import { signCalendlyPayload } from '../src/calendly/signature';
import { loadConfig } from '../src/config';
import type { HttpClient, HttpResponse } from '../src/http';
import { createJsonLogger } from '../src/log';
import { createRuntime } from '../src/runtime';
import { createReceiver, WEBHOOK_PATH, type Receiver } from '../src/server/receiver';
import type { BenchResult } from './run';

const DELIVERIES = Number(process.env.MEMORY_DELIVERIES ?? 100_000);
const FIRST_CHECKPOINT = Math.round(DELIVERIES / 10);
const MAX_GROWTH_MB = 10;
/** Bookings still live at any time; older ones are cancelled (or rescheduled, then cancelled). */
const LIVE_WINDOW = 500;
/** Deliveries handled at once, so the receiver's in-flight bookkeeping is exercised too. */
const IN_FLIGHT = 8;
const MAX_ROUNDS = 5;
const SIGNING_KEY = 'memory-bench-signing-key';
const HOST = 'host@example.com';
const MB = 1024 * 1024;

export async function memoryBench(): Promise<BenchResult> {
  // tmpfs when there is one: the figure is about memory, not about the disk's fsync.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cz-memory-'));
  const zoom = inProcessZoom();
  const config = loadConfig(
    {
      CALENDLY_SIGNING_KEY: SIGNING_KEY,
      ZOOM_ACCOUNT_ID: 'memory-bench',
      ZOOM_CLIENT_ID: 'memory-bench',
      ZOOM_CLIENT_SECRET: 'memory-bench',
      ZOOM_API_URL: 'http://zoom.invalid/v2',
      ZOOM_OAUTH_URL: 'http://zoom.invalid/oauth/token',
      STORE_PATH: join(dir, 'bookings.db'),
    },
    { signingKey: true, zoom: true },
  );
  // Log lines are built and serialised as in production, then dropped.
  const log = createJsonLogger(() => undefined);
  const runtime = createRuntime(config, { log, http: zoom.http });
  const receiver = createReceiver({
    deps: runtime.lifecycle,
    storeKind: 'sqlite',
    signingKeys: config.calendly.signingKeys,
    toleranceSeconds: config.signatureToleranceSeconds,
    log,
  });
  const gc = collector();
  let answered200 = 0;
  let redelivered = 0;
  const heap: { at: number; mb: number }[] = [];
  const started = performance.now();
  let sent = 0;
  try {
    for (const batch of traffic(DELIVERIES, IN_FLIGHT)) {
      let pending = batch;
      // Two deliveries of one booking in one batch: one answers 503 in_progress, and is
      // redelivered, as Calendly would.
      for (let round = 0; pending.length > 0 && round < MAX_ROUNDS; round++) {
        const answered = await Promise.all(pending.map((body) => exchange(receiver, body)));
        redelivered += round === 0 ? 0 : pending.length;
        pending = pending.filter((_, i) => answered[i] !== 200);
      }
      answered200 += batch.length - pending.length;
      const before = sent;
      sent += batch.length;
      const checkpoint = Math.floor(sent / FIRST_CHECKPOINT) * FIRST_CHECKPOINT;
      if (checkpoint > before && checkpoint > 0) {
        gc();
        heap.push({ at: sent, mb: process.memoryUsage().heapUsed / MB });
      }
    }
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const first = heap[0]?.mb ?? NaN;
  const last = heap[heap.length - 1]?.mb ?? NaN;
  const span = (heap[heap.length - 1]?.at ?? 0) - (heap[0]?.at ?? 0);
  const growth = last - first;
  const metrics = {
    deliveries: sent,
    answered_200: answered200,
    redelivered_in_progress: redelivered,
    heap_mb_at_10pct: round(first, 2),
    heap_mb_at_end: round(last, 2),
    heap_growth_mb: round(growth, 2),
    growth_bytes_per_delivery: round((growth * MB) / Math.max(1, span), 1),
    rss_mb_at_end: round(process.memoryUsage().rss / MB, 1),
    zoom_meetings_live_at_end: zoom.live(),
    deliveries_per_sec: Math.round(sent / seconds),
  };
  return {
    name: `memory (${DELIVERIES.toLocaleString('en-US')} deliveries, receiver handler)`,
    metrics,
    targets: { heap_growth_mb: { max: MAX_GROWTH_MB }, answered_200: { min: sent } },
    pass: growth < MAX_GROWTH_MB && answered200 === sent,
  };
}

/**
 * Signed raw bodies in batches. Booking b is created (every 10th twice, every 7th joined by a
 * second invitee); once LIVE_WINDOW newer bookings exist, every 4th is rescheduled to a new booking
 * (both halves), the rest cancelled. Every 20th booking is cancelled before it is created.
 */
function* traffic(total: number, batchSize: number): Generator<string[]> {
  const live: { eventUuid: string; invitees: string[]; movable: boolean }[] = [];
  let sent = 0;
  let batch: string[] = [];
  const push = function* (body: Record<string, unknown>): Generator<string[]> {
    batch.push(JSON.stringify(body));
    sent += 1;
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  };
  const event = (
    kind: 'invitee.created' | 'invitee.canceled',
    eventUuid: string,
    invitee: string,
  ) =>
    buildSampleEvent({ kind, now: Date.now(), eventUuid, inviteeUuid: invitee, hostEmail: HOST })
      .body;
  const withLink = (body: Record<string, unknown>, link: Record<string, unknown>) => ({
    ...body,
    payload: { ...(body.payload as Record<string, unknown>), ...link },
  });
  const uri = (eventUuid: string, invitee: string): string =>
    `https://api.calendly.com/scheduled_events/${eventUuid}/invitees/${invitee}`;

  for (let b = 0; sent < total; b++) {
    const eventUuid = `mem-${b}`;
    const invitee = `mem-${b}-a`;
    if (b % 20 === 0) {
      yield* push(event('invitee.canceled', eventUuid, invitee));
      yield* push(event('invitee.created', eventUuid, invitee));
      continue;
    }
    yield* push(event('invitee.created', eventUuid, invitee));
    if (b % 10 === 0) yield* push(event('invitee.created', eventUuid, invitee));
    const invitees = [invitee];
    if (b % 7 === 0) {
      invitees.push(`mem-${b}-b`);
      yield* push(event('invitee.created', eventUuid, `mem-${b}-b`));
    }
    live.push({ eventUuid, invitees, movable: b % 4 === 0 && invitees.length === 1 });
    while (live.length > LIVE_WINDOW) {
      const old = live.shift();
      const [from] = old?.invitees ?? [];
      if (old?.movable && from !== undefined) {
        // The new booking takes the old one's place in the window, to be cancelled in its turn.
        const moved = { eventUuid: `${old.eventUuid}-r`, invitees: [`${from}-r`], movable: false };
        const to = `${from}-r`;
        yield* push(
          withLink(event('invitee.canceled', old.eventUuid, from), {
            rescheduled: true,
            new_invitee: uri(moved.eventUuid, to),
          }),
        );
        yield* push(
          withLink(event('invitee.created', moved.eventUuid, to), {
            old_invitee: uri(old.eventUuid, from),
          }),
        );
        live.push(moved);
        continue;
      }
      for (const i of old?.invitees ?? [])
        yield* push(event('invitee.canceled', old?.eventUuid ?? '', i));
    }
  }
  if (batch.length > 0) yield batch;
}

/** One request through the receiver's node:http handler, without a socket. */
async function exchange(receiver: Receiver, rawBody: string): Promise<number> {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = WEBHOOK_PATH;
  req.headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(rawBody)),
    'calendly-webhook-signature': signCalendlyPayload(
      rawBody,
      SIGNING_KEY,
      Math.floor(Date.now() / 1000),
    ),
  };
  req.push(rawBody);
  req.push(null);
  const res = new ServerResponse(req);
  receiver.handle(req, res);
  await receiver.idle();
  return res.statusCode;
}

/** Zoom's token, meeting and list endpoints, in memory, behind the engine's HTTP port. */
function inProcessZoom(): { http: HttpClient; live: () => number } {
  const meetings = new Map<string, { id: number; host: string; agenda: string; topic: string }>();
  let nextId = 91_000_000_000;
  const answer = (status: number, body?: unknown): HttpResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const meetingJson = (m: { id: number; host: string; agenda: string; topic: string }) => ({
    id: m.id,
    host_email: m.host,
    topic: m.topic,
    agenda: m.agenda,
    join_url: `https://zoom.example/j/${m.id}`,
    start_url: `https://zoom.example/s/${m.id}`,
    password: 'pw',
  });
  const http: HttpClient = async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.endsWith('/oauth/token')) {
      return answer(200, { access_token: 'memory-bench-token', expires_in: 3599 });
    }
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const userMeetings = /\/users\/([^/]+)\/meetings$/.exec(pathname);
    if (userMeetings && request.method === 'POST') {
      const m = {
        id: nextId++,
        host: decodeURIComponent(userMeetings[1] ?? ''),
        agenda: String(body.agenda ?? ''),
        topic: String(body.topic ?? ''),
      };
      meetings.set(String(m.id), m);
      return answer(201, meetingJson(m));
    }
    if (userMeetings) {
      const host = decodeURIComponent(userMeetings[1] ?? '');
      const mine = [...meetings.values()].filter((m) => m.host === host).map(meetingJson);
      return answer(200, { next_page_token: '', meetings: mine });
    }
    const id = /\/meetings\/(\d+)$/.exec(pathname)?.[1] ?? '';
    const meeting = meetings.get(id);
    if (!meeting) return answer(404, { code: 3001, message: `Meeting does not exist: ${id}.` });
    if (request.method === 'DELETE') {
      meetings.delete(id);
      return answer(204);
    }
    if (request.method === 'PATCH') {
      if (typeof body.agenda === 'string') meeting.agenda = body.agenda;
      return answer(204);
    }
    return answer(200, meetingJson(meeting));
  };
  return { http, live: () => meetings.size };
}

/** A full collection: global.gc under --expose-gc, else the flag set at run time. */
function collector(): () => void {
  if (typeof gc === 'function') return () => gc?.();
  setFlagsFromString('--expose-gc');
  const fromContext = runInNewContext('gc') as unknown;
  return typeof fromContext === 'function' ? () => (fromContext as () => void)() : () => undefined;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (require.main === module) {
  memoryBench().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
