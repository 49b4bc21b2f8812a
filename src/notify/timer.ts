/** Starts a one-shot timer and returns what cancels it; injected so tests control time. */
export type ScheduleTimer = (ms: number, onTimeout: () => void) => () => void;

/** A background timer: it never keeps the process alive by itself. */
export const backgroundTimer: ScheduleTimer = (ms, onTimeout) => {
  const timer = setTimeout(onTimeout, ms);
  timer.unref();
  return () => clearTimeout(timer);
};
