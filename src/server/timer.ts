/** Starts a one-shot timer and returns what cancels it. Injected so tests fire it by hand. */
export type StartTimer = (ms: number, onTimeout: () => void) => () => void;

export const startRealTimer: StartTimer = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms);
  return () => clearTimeout(timer);
};
