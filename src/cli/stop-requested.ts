/**
 * Resolves once `signal` aborts (SIGINT/SIGTERM, wired by main()). Without a signal (an embedding
 * that never stops) this waits for the process to end.
 */
export function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
