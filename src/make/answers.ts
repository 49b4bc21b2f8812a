// What the scenario answers Calendly through "Webhook response": JSON text with Make formulas
// spliced in. Any 2xx ends Calendly's retries; anything else makes Calendly deliver again (for 24 h).

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { eventUuid } from './facts';
import { formula, jsonSafe } from './formula';
import { webhookRespond } from './modules';

/** `{"a": value, …}` where each value is already JSON text (formulas spliced in as text). */
export function json(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{${fields.map(([name, value]) => `${JSON.stringify(name)}: ${value}`).join(', ')}}`;
}

/** A formula between JSON string quotes; its output must be JSON-safe (see jsonSafe). */
export function quoted(text: string): string {
  return `"${text}"`;
}

/** Calendly takes any non-2xx as "try again later"; the header says how soon would make sense. */
const RETRY_AFTER_SECONDS = '60';

export interface Answer {
  /** A status, or a formula (an expression) for one. */
  status: '200' | '400' | '500' | '503' | { formula: string };
  /** An outcome name, or a formula (an expression) that computes one. */
  outcome: string | { formula: string };
  meetingId?: string;
  joinUrl?: string;
  /** A formula (an expression) for why: Zoom's message, the record's last error. */
  reason?: string;
}

/** One "Webhook response" module: the outcome, the booking, and what else the answer carries. */
export function answer(ctx: BuildContext, name: string, a: Answer): MakeModule {
  const outcome =
    typeof a.outcome === 'string' ? JSON.stringify(a.outcome) : quoted(formula(a.outcome.formula));
  const fields: Array<[string, string]> = [
    ['outcome', outcome],
    ['event_uuid', quoted(formula(jsonSafe(eventUuid(ctx))))],
  ];
  if (a.meetingId !== undefined) fields.push(['meeting_id', quoted(formula(a.meetingId))]);
  if (a.joinUrl !== undefined) fields.push(['join_url', quoted(formula(jsonSafe(a.joinUrl)))]);
  if (a.reason !== undefined) fields.push(['reason', quoted(formula(jsonSafe(a.reason)))]);
  const status = typeof a.status === 'string' ? a.status : formula(a.status.formula);
  const retryable = a.status === '503' || typeof a.status !== 'string';
  return webhookRespond(
    ctx.ids,
    typeof a.status === 'string' ? `${a.status}: ${name}` : name,
    status,
    json(fields),
    retryable ? [['retry-after', RETRY_AFTER_SECONDS]] : [],
  );
}
