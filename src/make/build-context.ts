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
