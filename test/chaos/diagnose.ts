import type { BookingRecord } from '../../src/store/booking-record';
import type { FakeZoomServer } from '../support/fake-zoom-server';
import type { DeliveryLog } from './sender';

/** What happened to each booking a problem names, as far as every party recorded it. */
export function diagnose(
  problems: readonly string[],
  seen: {
    started: number;
    records: ReadonlyMap<string, BookingRecord | null>;
    logs: readonly DeliveryLog[];
    lines: readonly string[];
    zoom: FakeZoomServer;
  },
): string[] {
  const at = (ms: number): string => `+${((ms - seen.started) / 1000).toFixed(2)} s`;
  const uuids = new Set(problems.flatMap((p) => /booking (\S+)/.exec(p)?.[1] ?? []));
  const out: string[] = [];
  for (const uuid of [...uuids].slice(0, 5)) {
    out.push(`booking ${uuid}:`);
    const record = seen.records.get(uuid);
    for (const a of record?.audit ?? []) {
      out.push(`  audit ${at(a.at)} ${a.action}${a.detail ? ` ${a.detail}` : ''}`);
    }
    for (const log of seen.logs.filter((l) => l.delivery.eventUuid === uuid)) {
      const d = log.delivery;
      out.push(
        `  delivery ${d.id} ${d.kind} ${d.inviteeUuid}${d.duplicateOf === null ? '' : ` (dup of ${d.duplicateOf})`}` +
          ` attempts ${log.attempts} answers ${JSON.stringify(log.answers)} final ${log.final?.outcome ?? 'none'}`,
      );
    }
    const marker = `scheduled_events/${uuid}]`;
    const mine = new Set(
      seen.zoom
        .liveMeetings()
        .filter((m) => (m.agenda ?? '').includes(marker))
        .map((m) => m.id),
    );
    for (const r of seen.zoom.requests) {
      if (r.createdMeetingId !== undefined && mine.has(r.createdMeetingId)) {
        out.push(
          `  zoom create ${r.createdMeetingId} arrived ${at(r.at)} done ${r.doneAt ? at(r.doneAt) : '?'} answered ${r.status || 'dropped'}`,
        );
      }
    }
    for (const line of seen.lines.filter((l) => l.includes(uuid)).slice(0, 30)) {
      out.push(`  log ${line.slice(0, 400)}`);
    }
  }
  return out;
}
