import type { AttentionReason } from '../store/outbox';

const FIXES: Record<AttentionReason, string> = {
  host_without_zoom_user:
    "Add the booking's host as a user of the Zoom account, or set ZOOM_DEFAULT_HOST; Calendly's " +
    'retries then make the meeting (or run `calendly-zoom reconcile --apply`).',
  zoom_daily_limit:
    "Zoom's daily limit for this host or account is used up; the meeting is made when Calendly " +
    "retries after Zoom's daily reset (or run `calendly-zoom reconcile --apply` then).",
  zoom_refused:
    'Zoom refused the request for good (a meeting setting or the host is not allowed); fix the ' +
    'setting or the host in Zoom, then run `calendly-zoom reconcile --apply`.',
  configuration:
    'The Zoom credentials or app scopes are wrong: `calendly-zoom doctor` names the setting to ' +
    'fix; then run `calendly-zoom reconcile --apply`.',
};

/** What an operator does about a booking the engine could not serve: one sentence per reason. */
export function attentionFix(reason: AttentionReason): string {
  return FIXES[reason];
}
