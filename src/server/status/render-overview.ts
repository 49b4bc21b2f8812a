import type { BookingView } from '../../bookings/booking-view';
import { OUTCOME_LABELS, shortTime } from '../../bookings/labels';
import type { OperationsSummary } from '../../bookings/operations-summary';
import { describeChannel } from '../../notify/channels';
import type { AuditOutcome } from '../../store/booking-record';
import type { OutboxItem, OutboxStatus } from '../../store/outbox';
import { html, type Html } from './html';
import type { SubscriptionState } from './subscription-state';

export interface Overview {
  summary: OperationsSummary;
  /** Null when no notification channel is configured. */
  outbox: {
    counts: Record<OutboxStatus, number>;
    recent: OutboxItem[];
    failed: OutboxItem[];
  } | null;
  subscription: SubscriptionState;
  storeKind: string;
  now: number;
}

/** The tiles, in the order an operator reads them: what worked, then what did not. */
const TILES: readonly AuditOutcome[] = [
  'created',
  'moved',
  'cancelled',
  'superseded',
  'already_gone',
  'kept_for_other_invitees',
  'duplicate',
  'tombstoned',
  'needs_attention',
  'failed',
];
const BAD: ReadonlySet<AuditOutcome> = new Set(['needs_attention', 'failed']);

export function renderOverview(o: Overview): Html {
  return html`
    <section aria-labelledby="today">
      <h2 id="today">Today (${o.summary.day}, UTC): deliveries by how they ended</h2>
      <div class="tiles">
        ${TILES.map((outcome) => {
          const n = o.summary.countsToday[outcome] ?? 0;
          return html`<div
            class="tile${BAD.has(outcome) && n > 0 ? ' bad' : ''}"
            data-outcome="${outcome}"
          >
            <b>${n}</b>${OUTCOME_LABELS[outcome]}
          </div>`;
        })}
      </div>
    </section>
    ${attentionSection(o.summary.needsAttention)} ${deliveriesSection(o.summary)}
    ${outboxSection(o.outbox)} ${subscriptionSection(o.subscription)}
    <p class="muted">
      ${o.summary.bookings} bookings in the ${o.storeKind} store · page made ${shortTime(o.now)}
    </p>
  `;
}

function attentionSection(bookings: readonly BookingView[]): Html {
  return html` <section aria-labelledby="attention">
    <h2 id="attention">Bookings that need attention (${bookings.length})</h2>
    ${
      bookings.length === 0
        ? html`<p class="muted">None: every booking was served or is on its way.</p>`
        : bookings.map(
            (b) =>
              html`<div class="card bad" data-booking="${b.eventUuid}">
                <p>
                  <a href="${bookingLink(b.eventUuid)}">${b.eventName ?? b.eventUuid}</a>,
                  ${shortTime(b.startTime)}${b.invitee ? html` · ${b.invitee.name} &lt;${b.invitee.email}&gt;` : ''}${b.hostEmail ? html` · host ${b.hostEmail}` : ''}
                </p>
                <p>
                  <b>${b.attention?.reason ?? ''}</b> since ${shortTime(b.attention?.at ?? null)}:
                  ${b.attention?.message ?? ''}
                </p>
                <p class="fix">Fix: ${b.attention?.fix ?? ''}</p>
              </div>`,
          )
    }
  </section>`;
}

function deliveriesSection(summary: OperationsSummary): Html {
  const rows = summary.recentDeliveries;
  return html` <section aria-labelledby="deliveries">
    <h2 id="deliveries">Recent deliveries</h2>
    ${
      rows.length === 0
        ? html`<p class="muted">No delivery has been handled yet.</p>`
        : html`<div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Delivery</th>
                  <th>Outcome</th>
                  <th>Booking</th>
                  <th>Invitee</th>
                  <th>Meeting</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (d) =>
                    html`<tr>
                      <td class="when">${shortTime(d.at)}</td>
                      <td>${d.via}</td>
                      <td class="${BAD.has(d.outcome) ? 'state-bad' : ''}">
                        ${OUTCOME_LABELS[d.outcome]}
                      </td>
                      <td>
                        <a href="${bookingLink(d.eventUuid)}">${d.eventName ?? d.eventUuid}</a>
                      </td>
                      <td>${d.inviteeEmail ?? ''}</td>
                      <td>${d.meetingId ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

function outboxSection(outbox: Overview['outbox']): Html {
  if (outbox === null) {
    return html`<section aria-labelledby="outbox">
      <h2 id="outbox">Notifications</h2>
      <p class="muted">Off: neither NOTIFY_URLS nor SMTP_URL is set.</p>
    </section>`;
  }
  const { counts } = outbox;
  return html` <section aria-labelledby="outbox">
    <h2 id="outbox">Notifications</h2>
    <div class="tiles">
      <div class="tile" data-outbox="pending"><b>${counts.pending}</b>pending</div>
      <div class="tile" data-outbox="delivered"><b>${counts.delivered}</b>delivered (last day)</div>
      <div class="tile${counts.failed > 0 ? ' bad' : ''}" data-outbox="failed">
        <b>${counts.failed}</b>failed
      </div>
    </div>
    ${outboxTable('Failed', outbox.failed)} ${outboxTable('Latest', outbox.recent)}
  </section>`;
}

function outboxTable(title: string, items: readonly OutboxItem[]): Html {
  if (items.length === 0) return html``;
  return html`<h3>${title}</h3>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Queued</th>
            <th>Type</th>
            <th>To</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (item) =>
              html`<tr>
                <td class="when">${shortTime(item.createdAt)}</td>
                <td>
                  <a href="${bookingLink(item.notice.booking.eventUuid)}">${item.notice.type}</a>
                </td>
                <td>${describeChannel(item.channel)}</td>
                <td
                  class="${item.status === 'failed' ? 'state-bad' : item.status === 'delivered' ? 'state-ok' : ''}"
                >
                  ${item.status}
                </td>
                <td>${item.attempts}</td>
                <td>${item.lastError ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function subscriptionSection(state: SubscriptionState): Html {
  return html` <section aria-labelledby="subscription">
    <h2 id="subscription">Calendly webhook subscription</h2>
    ${subscriptionBody(state)}
  </section>`;
}

function subscriptionBody(state: SubscriptionState): Html {
  switch (state.kind) {
    case 'not_configured':
      return html`<p class="muted" data-subscription="not_configured">
        Not configured: ${state.reason}
      </p>`;
    case 'waiting':
      return html`<p class="muted" data-subscription="waiting">
        Calendly has not answered within ${state.waitMs / 1000} s; reload in a moment.
      </p>`;
    case 'failed':
      return html`<p class="state-bad" data-subscription="failed">
        Calendly could not be asked (${shortTime(state.checkedAt)}): ${state.message}
      </p>`;
    case 'listed':
      if (state.subscriptions.length === 0) {
        return html`<p class="state-bad" data-subscription="none">
          No webhook subscription: Calendly delivers nothing. Create one with
          <code
            >calendly-zoom webhooks subscribe --url https://&lt;this
            host&gt;/webhooks/calendly</code
          >.
        </p>`;
      }
      return html`${state.subscriptions.map(
          (s) =>
            html`<div class="card${s.problem ? ' bad' : ''}" data-subscription="${s.state}">
              <p>
                <b class="${s.state === 'active' && !s.problem ? 'state-ok' : 'state-bad'}"
                  >${s.state}</b
                >
                · ${s.callback} · ${s.events.join(', ')} · ${s.scope} scope
              </p>
              ${s.problem ? html`<p class="fix">${s.problem}</p>` : ''}
            </div>`,
        )}${state.notes.map((note) => html`<p class="muted">${note}</p>`)}
        <p class="muted">Checked ${shortTime(state.checkedAt)}.</p>`;
  }
}

function bookingLink(query: string): string {
  return `/bookings?q=${encodeURIComponent(query)}`;
}
