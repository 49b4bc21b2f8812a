import type { BookingView, HistoryLine } from '../bookings/booking-view';
import { historyTime, OUTCOME_LABELS, statusLabel } from '../bookings/labels';

/** One booking for a terminal: its facts, the fix when it needs one, then its history. */
export function renderBooking(view: BookingView): string {
  const rows: [string, string][] = [
    ['Status', statusLabel(view).toUpperCase()],
    ['Event', [view.eventName, timeRange(view)].filter(Boolean).join(', ')],
    ['Invitee', invitee(view)],
    ['Host', view.hostEmail ?? ''],
    [
      'Meeting',
      view.meeting
        ? view.meeting.live
          ? `${view.meeting.id} (host ${view.meeting.host})\n${view.meeting.joinUrl}`
          : `${view.meeting.id} (deleted)`
        : 'none',
    ],
    ['Calendly', view.eventUri],
  ];
  if (view.replaces) rows.push(['Replaces', view.replaces]);
  if (view.supersededBy) rows.push(['Replaced by', view.supersededBy]);
  if (view.attention) {
    rows.push(['Problem', `${view.attention.reason} since ${view.attention.at}`]);
    rows.push(['', view.attention.message]);
    rows.push(['Fix', view.attention.fix]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const facts = rows
    .filter(([, value]) => value !== '')
    .map(([label, value]) =>
      value
        .split('\n')
        .map((line, i) => `  ${(i === 0 ? label : '').padEnd(width)}${line}`)
        .join('\n'),
    )
    .join('\n');
  return (
    `Booking ${view.eventUuid}\n${facts}\n` +
    `History (oldest first; the store keeps the latest 20 changes)\n` +
    `${view.history.map((line) => `  ${historyText(line)}`).join('\n')}\n`
  );
}

/** `2026-03-01 09:00:01Z  invitee.created   Zoom meeting 850… created  → meeting created` */
function historyText(line: HistoryLine): string {
  const when = historyTime(line.at);
  const via = (line.via ?? '(no delivery)').padEnd(16);
  const outcome = line.outcome ? `  → ${OUTCOME_LABELS[line.outcome]}` : '';
  return `${when}  ${via}  ${line.text}${outcome}`;
}

function timeRange(view: BookingView): string {
  if (!view.startTime) return '';
  const end = view.endTime ? `–${view.endTime.slice(11, 16)}` : '';
  return `${view.startTime.slice(0, 10)} ${view.startTime.slice(11, 16)}${end} UTC`;
}

function invitee(view: BookingView): string {
  if (!view.invitee) return '';
  const { name, email, timezone } = view.invitee;
  const others = view.invitees.length > 1 ? ` and ${view.invitees.length - 1} more` : '';
  return `${name ? `${name} <${email}>` : email}${timezone ? ` (${timezone})` : ''}${others}`;
}
