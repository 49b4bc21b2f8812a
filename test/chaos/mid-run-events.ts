import type { FakeZoomServer } from '../support/fake-zoom-server';
import type { BridgeOutage, UpstashBridge } from '../support/upstash-bridge';
import type { ChaosOptions } from './chaos-run';
import type { ReceiverProcess } from './receiver-process';
import type { Sender } from './sender';

/** Something that happens to the run once a share of the deliveries has settled. */
export interface MidRunEvent {
  /** Share of deliveries settled, 0..1. */
  at: number;
  run(): Promise<void>;
}

export interface EventContext {
  options: Pick<ChaosOptions, 'faults' | 'kill' | 'storeOutageMs' | 'seed' | 'qps'>;
  zoom: FakeZoomServer;
  bridge: UpstashBridge;
  receiver: ReceiverProcess;
  /** The sender, once started. */
  sender: () => Sender | null;
  note: (line: string) => void;
  revoked: () => void;
}

/** Revoke every token at these shares of settled deliveries (fault runs only). */
const REVOKE_AT = [0.2, 0.5, 0.8];
const KILL_AT = 0.4;
/**
 * Zoom's per-second limit at 1/s from here until it has refused SQUEEZE_REFUSALS requests. Left
 * to the run's own pace, whether the receiver ever crosses the limit depends on how fast this
 * machine is (a loaded CI run once crossed it 0 times): the squeeze makes the 429 path certain.
 */
const SQUEEZE_AT = 0.3;
const SQUEEZE_REFUSALS = 3;
/** Bounds the squeeze if traffic stops; the run's assertion then reports the missing 429s. */
const SQUEEZE_MAX_MS = 10_000;
const OUTAGE_AT = 0.65;
/** A kill waits at most this long for a create to be in flight, then kills anyway. */
const KILL_AIM_MS = 3000;

/**
 * The run's token revocations, qps squeeze, SIGKILL + restart and store outage, in the order they
 * happen.
 */
export function midRunEvents(ctx: EventContext): MidRunEvent[] {
  const { options, zoom, bridge, receiver, note } = ctx;
  const events: MidRunEvent[] = [];
  if (options.faults) {
    for (const at of REVOKE_AT) {
      events.push({
        at,
        async run() {
          zoom.revokeTokens();
          ctx.revoked();
          note(`tokens revoked at ${pct(at)}`);
        },
      });
    }
    events.push({
      at: SQUEEZE_AT,
      async run() {
        const refused = () => zoom.requests.filter((r) => r.qpsLimited).length;
        const before = refused();
        const started = Date.now();
        zoom.setQps(1);
        while (refused() - before < SQUEEZE_REFUSALS && Date.now() - started < SQUEEZE_MAX_MS) {
          await new Promise((done) => setTimeout(done, 20));
        }
        zoom.setQps(options.qps);
        note(
          `qps limit 1/s at ${pct(SQUEEZE_AT)} for ${Date.now() - started} ms: ${refused() - before} request(s) refused`,
        );
      },
    });
  }
  if (options.kill) {
    events.push({
      at: KILL_AT,
      async run() {
        // Aim for the worst moment: a create on its way to Zoom, whose answer dies with us.
        const held = zoom.hold('createMeeting');
        const aimed = await arrivedWithin(held.arrived, KILL_AIM_MS);
        await receiver.kill();
        // Too late to answer anyone: the create goes through, and only its marker tells.
        held.release();
        note(`SIGKILL at ${pct(KILL_AT)}${aimed ? ' with a create in flight' : ''}`);
        // The lease the clock step skips is what, in real time, outlasts the dead worker's
        // requests still in flight at Zoom: let them land first, as they would within 60 s.
        await zoom.idle();
        await receiver.restart();
        note('restarted on the same port and store, clock past the dead leases');
      },
    });
  }
  if (options.storeOutageMs > 0) {
    const how: BridgeOutage = options.seed % 2 === 0 ? 'status' : 'reset';
    events.push({
      at: OUTAGE_AT,
      async run() {
        bridge.setDown(true, how);
        // The fault's length, not an assertion: nothing waits on it to decide a result.
        await new Promise((done) => setTimeout(done, options.storeOutageMs));
        bridge.setDown(false);
        // Let the deliveries caught by the outage answer, then let their leases run out.
        const sender = ctx.sender();
        sender?.pause();
        await sender?.quiet();
        await zoom.idle();
        await receiver.advanceClock();
        sender?.resume();
        note(
          `store down ${options.storeOutageMs} ms (${how}) at ${pct(OUTAGE_AT)}, clock moved past its leases`,
        );
      },
    });
  }
  return events.sort((a, b) => a.at - b.at);
}

function arrivedWithin(arrived: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    arrived.then(() => true),
    new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}
