import { startMaintenanceLoop } from '../../../src/server/maintenance-loop';
import type { StartTimer } from '../../../src/timer';
import { captureLogs } from '../../e2e/e2e-kit';
import { created, reschedule } from '../../support/invitee-events';
import { harness } from '../../support/lifecycle-harness';

/** Timers the test fires by hand, remembering what each was set for. */
function manualTimers() {
  const pending: { ms: number; fire: () => void }[] = [];
  const startTimer: StartTimer = (ms, onTimeout) => {
    const timer = { ms, fire: onTimeout };
    pending.push(timer);
    return () => pending.splice(pending.indexOf(timer), 1);
  };
  return {
    startTimer,
    pending,
    async fireNext() {
      pending.shift()?.fire();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const HOUR = 3600_000;

describe('the maintenance loop inside serve', () => {
  it('runs soon after start, then every interval, and expires a move that never came', async () => {
    const h = harness({ config: { reschedule: 'move' } });
    await h.handle(created({ event: 'a', invitee: 'x' }));
    await h.handle(reschedule({ event: 'a', invitee: 'x' }, { event: 'b', invitee: 'y' }).cancel);
    h.clock.advance(2 * HOUR);
    const timers = manualTimers();
    const { log } = captureLogs();
    const loop = startMaintenanceLoop(
      { ...h.deps, zoom: h.zoom },
      { intervalMs: 15 * 60_000, pendingMoveTimeoutMs: HOUR },
      { log, startTimer: timers.startTimer },
    );

    expect(timers.pending.map((t) => t.ms)).toEqual([30_000]);
    await timers.fireNext();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.zoom.liveMeetings()).toEqual([]);
    expect(timers.pending.map((t) => t.ms)).toEqual([15 * 60_000]);

    await loop.close();
    expect(timers.pending).toEqual([]);
  });

  it('does nothing when MAINTENANCE_INTERVAL_MINUTES is 0', async () => {
    const h = harness();
    const timers = manualTimers();
    const loop = startMaintenanceLoop(
      { ...h.deps, zoom: h.zoom },
      { intervalMs: 0, pendingMoveTimeoutMs: HOUR },
      { log: captureLogs().log, startTimer: timers.startTimer },
    );
    expect(timers.pending).toEqual([]);
    await loop.close();
  });

  it('logs what it could not do and keeps its schedule', async () => {
    const h = harness();
    await h.handle(created());
    h.zoom.failNext('find', 'server_error');
    const timers = manualTimers();
    const logs = captureLogs();
    const loop = startMaintenanceLoop(
      { ...h.deps, zoom: h.zoom },
      { intervalMs: 60_000, pendingMoveTimeoutMs: HOUR },
      { log: logs.log, startTimer: timers.startTimer },
    );
    await timers.fireNext();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(logs.records()).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'maintenance: tried again later',
        problem: expect.stringMatching(/could not sweep the meetings of host@example\.com/),
      }),
    ]);
    expect(timers.pending.map((t) => t.ms)).toEqual([60_000]);
    await loop.close();
  });
});
