import type { MaintenanceConfig } from '../config';
import type { Logger } from '../log';
import { runMaintenance, type MaintenanceDeps } from '../maintenance';
import type { StartTimer } from '../timer';

/** Not at start-up, where it would slow the first deliveries, but soon after. */
const FIRST_RUN_AFTER_MS = 30_000;

export interface MaintenanceLoop {
  /** Stops scheduling; resolves once a pass under way has finished. */
  close(): Promise<void>;
}

/**
 * Runs src/maintenance.ts every `intervalMs` inside `serve`. Several receivers on one store may
 * each run it: every step is one atomic store transition or an idempotent Zoom delete.
 */
export function startMaintenanceLoop(
  deps: MaintenanceDeps,
  config: MaintenanceConfig,
  { log, startTimer }: { log: Logger; startTimer: StartTimer },
): MaintenanceLoop {
  if (config.intervalMs === 0) return { close: async () => undefined };
  let running: Promise<void> | null = null;
  let cancel: (() => void) | null = null;
  let closed = false;

  const schedule = (ms: number): void => {
    cancel = startTimer(ms, () => {
      running = pass().finally(() => {
        running = null;
        if (!closed) schedule(config.intervalMs);
      });
    });
  };
  const pass = async (): Promise<void> => {
    try {
      const report = await runMaintenance(deps, {
        pendingMoveTimeoutMs: config.pendingMoveTimeoutMs,
      });
      for (const problem of report.errors) log.warn('maintenance: tried again later', { problem });
    } catch (error) {
      log.warn('maintenance failed; tried again later', {
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  };
  schedule(Math.min(FIRST_RUN_AFTER_MS, config.intervalMs));
  return {
    async close() {
      closed = true;
      cancel?.();
      await running;
    },
  };
}
