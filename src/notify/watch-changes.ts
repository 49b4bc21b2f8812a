import type { BookingStore } from '../store/booking-store';

/**
 * Store calls that queue no notice (reads, and the health probe's one-row write, which /healthz
 * makes on every check): everything else may have queued one.
 */
const READS = new Set<PropertyKey>(['get', 'findByInvitee', 'list', 'ping', 'probe', 'close']);

/**
 * The store as the lifecycle should see it inside `serve`: after every state-changing call,
 * `onChange` runs, so the dispatcher looks at the outbox at once instead of at its next poll. A
 * Proxy rather than a hand-written wrapper, so that a transition added to the port later wakes
 * the dispatcher too. A failed call may still have committed, so it wakes it as well.
 */
export function watchChanges<S extends BookingStore>(store: S, onChange: () => void): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const wakes = !READS.has(property);
      // Called on the store itself, reads included: with the proxy as `this`, a store's own
      // helpers (SQLite's lock-retrying attempt(), its prepared transactions) would be seen here
      // as calls of their own, waking the dispatcher on every read and losing their properties.
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        if (wakes && result instanceof Promise) {
          void result.finally(onChange).catch(() => undefined);
        }
        return result;
      };
    },
  });
}
