import type { LogFields, Logger } from '../log';

/**
 * Resolves once `signal` aborts (SIGINT/SIGTERM, wired by main()). Without a signal (an embedding
 * that never stops) this waits for the process to end.
 */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * `serve`'s ending, sandbox or not: once stopped, the receiver answers what is in flight (its
 * close() bounds that), and the log says so before and after.
 */
export async function closeWhenStopped(
  signal: AbortSignal | undefined,
  log: Logger,
  running: { inFlight(): number; close(): Promise<void> },
  ending: { stopped: string; fields?: LogFields },
): Promise<void> {
  await stopRequested(signal);
  log.info('shutting down: answering requests in flight first', {
    signal: String(signal?.reason ?? 'abort'),
    inFlight: running.inFlight(),
    ...ending.fields,
  });
  await running.close();
  log.info(ending.stopped);
}
