import type { BookingRecord } from './booking-record';
import type { BookingStore, StoreNotifyOptions } from './booking-store';
import { MemoryOutbox } from './memory-outbox';
import * as rules from './transitions';
import type { Applied, Snapshot } from './transitions';

/**
 * The booking store in process memory: for unit tests, benchmarks and single-run tools. Not
 * durable. Records are cloned in and out so callers can never change stored state by accident.
 */
export class MemoryBookingStore implements BookingStore {
  private readonly records = new Map<string, BookingRecord>();
  private readonly index = new Map<string, string>();
  private readonly snapshot: Snapshot = {
    record: (uuid) => this.records.get(uuid) ?? null,
    eventOfInvitee: (uri) => this.index.get(uri) ?? null,
  };
  readonly outbox: MemoryOutbox;

  constructor(options: { notify?: StoreNotifyOptions } = {}) {
    this.outbox = new MemoryOutbox(options.notify?.channels ?? []);
  }

  async get(eventUuid: string): Promise<BookingRecord | null> {
    return clone(this.records.get(eventUuid) ?? null);
  }

  async findByInvitee(inviteeUri: string): Promise<BookingRecord | null> {
    const uuid = this.index.get(inviteeUri);
    return uuid === undefined ? null : this.get(uuid);
  }

  claimCreate = this.transition(rules.claimCreate);
  commitCreate = this.transition(rules.commitCreate);
  beginCancel = this.transition(rules.beginCancel);
  finishCancel = this.transition(rules.finishCancel);
  releaseLease = this.transition(rules.releaseLease);
  forgetMeeting = this.transition(rules.forgetMeeting);
  expirePendingMove = this.transition(rules.expirePendingMove);

  async *list(): AsyncIterable<BookingRecord> {
    for (const record of [...this.records.values()]) yield structuredClone(record);
  }

  async ping(): Promise<void> {}

  async probe(): Promise<void> {}

  async close(): Promise<void> {}

  private transition<I, R>(rule: (s: Snapshot, input: I) => Applied<R>): (input: I) => Promise<R> {
    return async (input) => {
      const { result, writes } = rule(this.snapshot, input);
      for (const record of writes.records) this.records.set(record.eventUuid, record);
      for (const { inviteeUri, eventUuid } of writes.index) this.index.set(inviteeUri, eventUuid);
      this.outbox.write(writes.notices);
      return clone(result);
    };
  }
}

function clone<T>(value: T): T {
  return value === null || value === undefined ? value : structuredClone(value);
}
