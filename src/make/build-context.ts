import type { BlueprintOptions } from './options';
import type { IdSequence } from './modules';
import { out } from './formula';

/** The modules at the root of the scenario, which every route maps from. */
export interface Trunk {
  webhook: number;
  payload: number;
}

export interface BuildContext {
  ids: IdSequence;
  options: BlueprintOptions;
  trunk: Trunk;
}

/** A field of the parsed Calendly delivery, inside a formula: `payload(ctx, 'event')`. */
export function payload(ctx: BuildContext, path: string): string {
  return out(ctx.trunk.payload, path);
}

/**
 * v1 of the scenario had a Settings module with these variables. Only the hint printed by
 * `calendly-zoom webhooks subscribe` (src/cli/commands/webhooks.ts, not this part's file) still
 * names one; the signing key now goes to `calendly-zoom blueprint --signing-key`.
 */
export const SETTINGS = { signingKey: 'calendly_signing_key' } as const;
