// The Calendly signature, checked in the router's filters, before any module but the webhook has
// run: a forged, unsigned or stale delivery costs 2 operations (the webhook and the 401 answer).
// Calendly signs `t + "." + raw body` with HMAC-SHA256, hex (NOT the guide's `"v1:" + …`).

import { and, condition, not, type Conditions } from './conditions';
import { formula, lit, out } from './formula';

/** Written into the check when no `--signing-key` was given: every delivery fails it (401). */
export const PASTE_SIGNING_KEY = 'PASTE-YOUR-CALENDLY-WEBHOOK-SIGNING-KEY';

/**
 * `t=<unix s>,v1=<hex>` → one part, without its label. Make's casing of `__IMTHEADERS__` names is
 * not documented; `map` takes several values, so both spellings match.
 */
function headerPart(webhook: number, index: number, label: string): string {
  const header = `get(map(${out(webhook, '__IMTHEADERS__')}; "value"; "name"; "calendly-webhook-signature,Calendly-Webhook-Signature"); 1)`;
  return `trim(replace(get(split(${header}; ","); ${index}); ${lit(label)}; ""))`;
}

export function signatureFilters(
  webhook: number,
  signingKey: string,
  toleranceSeconds: number,
): { valid: Conditions; invalid: Conditions } {
  const t = headerPart(webhook, 1, 't=');
  const v1 = formula(headerPart(webhook, 2, 'v1='));
  const digest = `sha256(${t} + "." + ${out(webhook, 'value')}; "hex"; ${lit(signingKey)})`;
  // Until the key is pasted over the placeholder, nothing may pass: the placeholder is public. The
  // guard tests a prefix, so replacing the placeholder text everywhere leaves a working formula.
  // A v1 never contains a comma (the header is split on them), so it never equals the sentence.
  const expected = formula(
    signingKey === PASTE_SIGNING_KEY
      ? `if(substring(${lit(signingKey)}; 0; 6) = "PASTE-"; "no key pasted, so no match"; ${digest})`
      : digest,
  );
  // An empty t reads as 0: far outside the window, never a NaN that fails both filters.
  const signedAt = formula(`ifempty(${t}; 0)`);
  const valid = and(
    condition(v1, 'text:equal', expected),
    condition(signedAt, 'number:greaterorequal', formula(`timestamp - ${toleranceSeconds}`)),
    condition(signedAt, 'number:lessorequal', formula(`timestamp + ${toleranceSeconds}`)),
  );
  return { valid, invalid: not(valid) };
}
