import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/lifecycle';
import { startFakeZoomServer } from '../support/fake-zoom-server';
import { prng } from '../support/lifecycle-sim';
import { DEFAULT_LEASE_MS as DISPATCH_LEASE_MS } from '../../src/notify/dispatcher';
import type { OutboxItem } from '../../src/store/outbox';
import { createUpstashBookingStore } from '../../src/store/upstash';
import { startNotificationConsumer } from '../support/notification-consumer';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { diagnose } from './diagnose';
import { faultSchedule, type FaultCounts } from './fault-schedule';
import { checkInvariants, type InvariantReport } from './invariants';
import { midRunEvents } from './mid-run-events';
import {
  startReceiverProcess,
  type ReceiverLogStats,
  type ReceiverProcess,
} from './receiver-process';
import { checkNotifications, type NotificationReport } from './notification-invariants';
import { receiverFleet } from './receiver-fleet';
import { forgetRun, readRecords, runPrefix } from './redis-state';
import { startSender, type Sender, type SenderReport } from './sender';
import { DEFAULT_HOST, generateTraffic, ZOOM_USERS, type Traffic } from './traffic';

export interface ChaosOptions {
  seed: number;
  /** Deliveries, duplicates included. */
  size: number;
  mode: 'recreate' | 'move';
  /** Random Zoom faults (5xx, lost answers, slow answers) and token revocations. */
  faults: boolean;
  /** SIGKILL the receiver once, mid-run, and restart it on the same store. */
  kill: boolean;
  /** Take the store away this long, mid-run (0: never). */
  storeOutageMs: number;
  /** The fake Zoom account's per-second limit. */
  qps: number;
  concurrency: number;
  /** Receivers on the one store, behind a round-robin sender (default 1). */
  receivers?: number;
  /** Signed notifications to a consumer, and their invariants checked (default off). */
  notify?: boolean;
  /** Progress lines while it runs. */
  progress?: (line: string) => void;
}

export interface ChaosResult {
  options: ChaosOptions;
  traffic: Pick<Traffic, 'mix'> & { deliveries: number; bookings: number };
  invariants: InvariantReport;
  /** Null when notifications were off. */
  notifications: NotificationReport | null;
  sender: Omit<SenderReport, 'logs'>;
  zoom: {
    /** API requests (not token requests), whatever their answer. */
    apiRequests: number;
    /** Refused by the qps limit (nothing done). */
    rateLimited: number;
    /** Let through by the limiter: the work the drain floor counts. */
    admitted: number;
    byRoute: Record<string, number>;
    tokenRequests: number;
    tokensIssued: number;
    revocations: number;
    faults: FaultCounts;
  };
  /** Upstash REST requests and Redis commands the receiver sent (through the bridge). */
  store: { requests: number; commands: number };
  /** admitted / qps: no client can drain faster than Zoom lets requests through. */
  floorMs: number;
  receiver: Omit<ReceiverLogStats, 'lines'> & { starts: number };
  events: string[];
  /** For each booking named in a problem: its audit trail, deliveries, Zoom creates, log lines. */
  diagnostics: string[];
  pass: boolean;
}

const SIGNING_KEY = `chaos-signing-key-${randomBytes(8).toString('hex')}`;
/** Past the lifecycle's lease, so a step makes every lease left by a dead worker expire. */
const CLOCK_STEP_MS = Math.max(DEFAULT_LIFECYCLE_CONFIG.leaseMs, DISPATCH_LEASE_MS) + 1000;
const CHAOS_CREATE_SETTLE_SECONDS = 4;
/** The dispatchers poll every 10 s and wake on each change: this is several rounds. */
const OUTBOX_DRAIN_MS = 45_000;

/**
 * One chaos run: a fresh fake Zoom and Upstash bridge, the receiver as a child process on them,
 * the traffic of one seed delivered by the Calendly-like sender, the mid-run events (token
 * revocations, SIGKILL + restart, store outage), then the invariants over what is left in Zoom,
 * in the store and in the sender's log.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const runId = `chaos${options.seed}x${randomBytes(3).toString('hex')}`;
  const traffic = generateTraffic({
    seed: options.seed,
    size: options.size,
    runId,
    dailyLimitHost: options.faults,
  });
  const faults = faultSchedule(prng(options.seed * 7919 + 1), options.faults);
  const dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-chaos-'));
  const events: string[] = [];
  const started = Date.now();
  const note = (line: string): void => {
    events.push(`+${((Date.now() - started) / 1000).toFixed(2)} s ${line}`);
    options.progress?.(`  [seed ${options.seed}] ${line}`);
  };

  const bridge = await startUpstashBridge();
  const zoom = await startFakeZoomServer({ users: ZOOM_USERS, qps: options.qps });
  zoom.faultPicker = faults.pick;
  const prefix = runPrefix(runId);
  const notifySecret = `whsec_${randomBytes(32).toString('base64')}`;
  const consumer = options.notify
    ? await startNotificationConsumer({ secret: notifySecret })
    : null;
  const env = {
    ...zoom.env(),
    CALENDLY_SIGNING_KEY: SIGNING_KEY,
    ZOOM_DEFAULT_HOST: DEFAULT_HOST,
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    RESCHEDULE_MODE: options.mode,
    // Calendly's retries are compressed into seconds here, so is the time a create that timed
    // out is given to land in Zoom late (the fake lands them within 2.5 s).
    ZOOM_CREATE_SETTLE_SECONDS: String(CHAOS_CREATE_SETTLE_SECONDS),
    UPSTASH_KEY_PREFIX: prefix,
    ...(consumer ? { NOTIFY_URLS: consumer.url, NOTIFY_SECRET: notifySecret } : {}),
  };
  const receiver = await startFleet(options.receivers ?? 1, dir, env).catch(
    async (error: unknown) => {
      await Promise.all([zoom.close(), bridge.close(), consumer?.close()]);
      throw error;
    },
  );

  let revocations = 0;
  let sender: Sender | null = null;
  try {
    // One event at a time, in order: a kill never overlaps an outage.
    let chain = Promise.resolve();
    const schedule = midRunEvents({
      options,
      zoom,
      bridge,
      receiver,
      sender: () => sender,
      note,
      revoked: () => (revocations += 1),
    });

    let lastProgress = 0;
    sender = startSender({
      deliveries: traffic.deliveries,
      webhookUrl: receiver.webhookUrl,
      signingKey: SIGNING_KEY,
      concurrency: options.concurrency,
      now: () => Date.now() + receiver.clockOffsetMs(),
      onSettled(settled, total) {
        while (schedule.length > 0 && (schedule[0]?.at ?? 1) * total <= settled) {
          const event = schedule.shift();
          if (event) chain = chain.then(event.run);
        }
        if (settled - lastProgress >= total / 10 || settled === total) {
          lastProgress = settled;
          options.progress?.(`  [seed ${options.seed}] ${settled}/${total} settled`);
        }
      },
    });
    const report = await sender.done;
    await chain;

    const records = await readRecords(prefix, [...traffic.bookings.keys()]);
    const notifications = consumer
      ? checkNotifications({
          items: await drainedOutbox(
            bridge,
            prefix,
            () => Date.now() + receiver.clockOffsetMs(),
            note,
          ),
          deliveries: consumer.deliveries,
          liveMeetings: zoom.liveMeetings(),
        })
      : null;
    const invariants = checkInvariants({
      bookings: traffic.bookings,
      liveMeetings: zoom.liveMeetings(),
      records,
      deliveries: report.logs,
    });

    const api = zoom.requests.filter((r) => r.route !== 'token');
    const rateLimited = api.filter((r) => r.qpsLimited).length;
    const byRoute: Record<string, number> = {};
    for (const r of api) byRoute[r.route ?? 'unknown'] = (byRoute[r.route ?? 'unknown'] ?? 0) + 1;
    const admitted = api.length - rateLimited;
    const { logs, ...senderSummary } = report;
    const { lines, ...receiverStats } = receiver.stats;
    return {
      options,
      traffic: {
        deliveries: traffic.deliveries.length,
        bookings: traffic.bookings.size,
        mix: traffic.mix,
      },
      invariants,
      notifications,
      sender: senderSummary,
      zoom: {
        apiRequests: api.length,
        rateLimited,
        admitted,
        byRoute,
        tokenRequests: zoom.requestsTo('token').length,
        tokensIssued: zoom.issuedTokens.length,
        revocations,
        faults: { ...faults.counts },
      },
      floorMs: (admitted / options.qps) * 1000,
      store: { ...bridge.stats },
      receiver: { ...receiverStats, starts: receiver.starts },
      events,
      diagnostics: diagnose(invariants.problems, {
        started,
        records,
        logs,
        lines,
        zoom,
      }),
      pass:
        invariants.problems.length === 0 &&
        (notifications?.problems.length ?? 0) === 0 &&
        report.unsettled === 0,
    };
  } finally {
    sender?.abort();
    await receiver.stop();
    await consumer?.close();
    await zoom.close();
    bridge.setDown(false);
    await bridge.close();
    await forgetRun(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One receiver, or a fleet of them on the same store, each in its own scratch directory. */
async function startFleet(
  count: number,
  dir: string,
  env: Record<string, string>,
): Promise<ReceiverProcess> {
  const members: ReceiverProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const cwd = join(dir, `receiver-${i}`);
      mkdirSync(cwd);
      members.push(await startReceiverProcess({ cwd, clockStepMs: CLOCK_STEP_MS, env }));
    }
  } catch (error) {
    await Promise.all(members.map((m) => m.stop()));
    throw error;
  }
  return count === 1 ? (members[0] as ReceiverProcess) : receiverFleet(members);
}

/** Waits (bounded) until the dispatchers have nothing pending, then lists the whole outbox. */
async function drainedOutbox(
  bridge: UpstashBridge,
  prefix: string,
  now: () => number,
  note: (line: string) => void,
): Promise<OutboxItem[]> {
  const { outbox } = createUpstashBookingStore({ url: bridge.url, token: bridge.token, prefix });
  const until = Date.now() + OUTBOX_DRAIN_MS;
  while ((await outbox.counts(now())).pending > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pending = (await outbox.counts(now())).pending;
  if (pending > 0) note(`${pending} notifications still pending after ${OUTBOX_DRAIN_MS} ms`);
  return outbox.list({ now: now() });
}
