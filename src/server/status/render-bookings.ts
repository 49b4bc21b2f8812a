import type { BookingView } from '../../bookings/booking-view';
import { historyTime, OUTCOME_LABELS, shortTime, statusLabel } from '../../bookings/labels';
import { html, type Html } from './html';

/** The search box's answer: what `calendly-zoom bookings show` prints, as cards. */
export function renderBookings(query: string, views: readonly BookingView[] | null): Html {
  if (query.trim() === '') {
    return html`<p class="muted">
      Type an invitee's email, a Calendly scheduled event or invitee URI, an event UUID or a Zoom
      meeting id.
    </p>`;
  }
  if (views === null) {
    return html`<p class="state-bad">
      "${query}" is not an invitee email, a Calendly URI, an event UUID or a Zoom meeting id.
    </p>`;
  }
  if (views.length === 0) {
    return html`<p data-results="0">
      No booking matches "${query}". Finished bookings are kept for 90 days.
    </p>`;
  }
  return html`<p class="muted" data-results="${views.length}">
      ${views.length} booking${views.length === 1 ? '' : 's'} for "${query}"
    </p>
    ${views.map(bookingCard)}`;
}

function bookingCard(b: BookingView): Html {
  return html`<section class="card${b.needsAttention ? ' bad' : ''}" data-booking="${b.eventUuid}">
    <h2>
      ${b.eventName ?? 'Booking'}
      <span class="${b.needsAttention ? 'state-bad' : 'muted'}">${statusLabel(b)}</span>
    </h2>
    <dl>
      <dt>Starts</dt>
      <dd>
        ${shortTime(b.startTime) || '—'}${b.endTime ? html` to ${b.endTime.slice(11, 16)} UTC` : ''}
      </dd>
      <dt>Invitee</dt>
      <dd>
        ${b.invitee ? html`${b.invitee.name} &lt;${b.invitee.email}&gt;${b.invitee.timezone ? html` (${b.invitee.timezone})` : ''}` : '—'}${b.invitees.length > 1 ? html` and ${b.invitees.length - 1} more` : ''}
      </dd>
      <dt>Host</dt>
      <dd>${b.hostEmail ?? '—'}</dd>
      <dt>Meeting</dt>
      <dd>
        ${
          b.meeting
            ? b.meeting.live
              ? html`${b.meeting.id} (host ${b.meeting.host})<br /><a
                    href="${b.meeting.joinUrl}"
                    rel="noreferrer"
                    >${b.meeting.joinUrl}</a
                  >`
              : html`${b.meeting.id} (deleted)`
            : 'none'
        }
      </dd>
      <dt>Calendly</dt>
      <dd>${b.eventUri}</dd>
      ${
        b.replaces
          ? html`<dt>Replaces</dt>
              <dd>${b.replaces}</dd>`
          : ''
      }
      ${
        b.supersededBy
          ? html`<dt>Replaced by</dt>
              <dd>${b.supersededBy}</dd>`
          : ''
      }
      ${
        b.attention
          ? html`<dt>Problem</dt>
              <dd>
                <b>${b.attention.reason}</b> since ${shortTime(b.attention.at)}:
                ${b.attention.message}
              </dd>
              <dt>Fix</dt>
              <dd class="fix">${b.attention.fix}</dd>`
          : ''
      }
    </dl>
    <h3>History</h3>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Delivery</th>
            <th>What happened</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          ${b.history.map(
            (line) =>
              html`<tr>
                <td class="when">${historyTime(line.at)}</td>
                <td>${line.via ?? '—'}</td>
                <td>${line.text}</td>
                <td>${line.outcome ? OUTCOME_LABELS[line.outcome] : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}
