// The housekeeping scenario: once a day, delete booking records past their `expires_at` (the
// booking has ended and no delivery about it can still be accepted), so the data store never
// fills. Records of bookings still to come are never touched.

import type { MakeBlueprint } from './blueprint-types';
import { BOOKINGS_MODULE } from './data-structures';
import { formula, out } from './formula';
import { inExportOrder, layoutFlow } from './layout';
import { IdSequence, datastoreDelete, datastoreSearch, ignore } from './modules';
import { resolveBlueprintOptions, type BlueprintOptionsInput } from './options';
import { scenarioMetadata } from './scenario-metadata';

export const PRUNE_SCENARIO_NAME = 'Calendly → Zoom: prune expired booking records (calendly-zoom)';

/** Records one run deletes at most; the next day's run takes the rest. */
export const PRUNE_BATCH = 500;

export function buildPruneBlueprint(input: BlueprintOptionsInput = {}): MakeBlueprint {
  const options = resolveBlueprintOptions(input);
  const ids = new IdSequence();
  const store = options.makeIds.bookingsStore;
  const search = datastoreSearch(ids, `${BOOKINGS_MODULE}: records past their expiry`, {
    filter: [[{ a: 'expires_at', o: 'number:less', b: formula('timestamp') }]],
    limit: PRUNE_BATCH,
    store,
  });
  const remove = datastoreDelete(
    ids,
    `${BOOKINGS_MODULE}: delete the record`,
    formula(out(search.id, 'key')),
    store,
  );
  // A record that cannot be deleted today is tried again tomorrow.
  remove.onerror = [ignore(ids, 'Try again on the next run')];
  const flow = [search, remove];
  layoutFlow(flow);
  return {
    name: PRUNE_SCENARIO_NAME,
    flow: flow.map(inExportOrder),
    metadata: scenarioMetadata({ instant: false, sequential: false }),
  };
}
