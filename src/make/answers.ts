// What the scenario answers Calendly through "Webhook response": JSON text with Make formulas
// spliced in. Any 2xx ends Calendly's retries; anything else makes Calendly deliver again.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { formula, jsonSafe, out } from './formula';
import { webhookRespond } from './modules';

/** `{"a": value, …}` where each value is already JSON text (formulas spliced in as text). */
export function json(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{${fields.map(([name, value]) => `${JSON.stringify(name)}: ${value}`).join(', ')}}`;
}

/** A formula between JSON string quotes; its output must be JSON-safe (see jsonSafe). */
export function quoted(text: string): string {
  return `"${text}"`;
}

/** Zoom refused: answer 502 so Calendly delivers again later (it retries non-2xx for 24 h). */
export function respondZoomError(ctx: BuildContext, callId: number): MakeModule {
  return webhookRespond(
    ctx.ids,
    '502: Zoom refused (Calendly will retry)',
    '502',
    json([
      ['outcome', '"zoom_error"'],
      ['zoom_status', formula(out(callId, 'statusCode'))],
      ['zoom_code', quoted(formula(out(callId, 'data.code')))],
      ['message', quoted(formula(jsonSafe(out(callId, 'data.message'))))],
    ]),
  );
}
