import type { InviteeEvent } from '../../src/calendly/invitee-event';
import {
  DEFAULT_LIFECYCLE_CONFIG,
  handleInviteeEvent,
  type LifecycleConfig,
  type LifecycleDeps,
} from '../../src/lifecycle';
import type { LifecycleOutcome } from '../../src/lifecycle-outcome';
import { silentLogger } from '../../src/log';
import type { BookingStore } from '../../src/store/booking-store';
import { MemoryBookingStore } from '../../src/store/memory';
import { FakeZoom } from './fake-zoom';

export interface Harness {
  zoom: FakeZoom;
  store: BookingStore;
  deps: LifecycleDeps;
  clock: { now: number; advance(ms: number): void };
  handle(event: InviteeEvent): Promise<LifecycleOutcome>;
}

export function harness(
  options: { config?: Partial<LifecycleConfig>; store?: BookingStore; zoom?: FakeZoom } = {},
): Harness {
  const zoom = options.zoom ?? new FakeZoom(['host@example.com', 'default@example.com']);
  const store = options.store ?? new MemoryBookingStore();
  const clock = {
    now: Date.parse('2026-11-26T12:00:00Z'),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const deps: LifecycleDeps = {
    store,
    zoom,
    now: () => clock.now,
    log: silentLogger,
    config: { ...DEFAULT_LIFECYCLE_CONFIG, ...options.config },
  };
  return { zoom, store, deps, clock, handle: (event) => handleInviteeEvent(event, deps) };
}
