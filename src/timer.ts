/** Starts a one-shot timer and returns what cancels it. Injected so tests fire it by hand. */
export type StartTimer = (ms: number, onTimeout: () => void) => () => void;

/**
 * Unref'd: the receiver's and the dispatcher's timers bound or pace work that something else keeps
 * alive (a socket, a store call, the server), so none of them alone should hold a stopping process
 * open.
 */
export const startRealTimer: StartTimer = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms).unref();
  return () => clearTimeout(timer);
};
