import type { BookingStore } from '../../src/store/booking-store';

/** Wraps a store and counts its calls: each call of an adapter is one round trip. */
export function countingStore(inner: BookingStore): { store: BookingStore; calls: string[] } {
  const calls: string[] = [];
  const count =
    <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    (...args: A): R => {
      calls.push(name);
      return fn(...args);
    };
  const store: BookingStore = {
    get: count('get', (u) => inner.get(u)),
    findByInvitee: count('findByInvitee', (u) => inner.findByInvitee(u)),
    claimCreate: count('claimCreate', (i) => inner.claimCreate(i)),
    commitCreate: count('commitCreate', (i) => inner.commitCreate(i)),
    beginCancel: count('beginCancel', (i) => inner.beginCancel(i)),
    finishCancel: count('finishCancel', (i) => inner.finishCancel(i)),
    releaseLease: count('releaseLease', (i) => inner.releaseLease(i)),
    forgetMeeting: count('forgetMeeting', (i) => inner.forgetMeeting(i)),
    expirePendingMove: count('expirePendingMove', (i) => inner.expirePendingMove(i)),
    list: () => inner.list(),
    ping: count('ping', () => inner.ping()),
    probe: count('probe', () => inner.probe()),
    outbox: inner.outbox,
    close: () => inner.close(),
  };
  return { store, calls };
}
