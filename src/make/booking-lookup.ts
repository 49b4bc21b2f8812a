// "Is this booking known?" — the one branch every route of the scenario starts with. Check the
// key, then read the record only when it exists: what "Get a record" does with a missing key is
// not documented, so the scenario never asks it.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { storeFailed } from './booking-record';
import { condition } from './conditions';
import { BOOKINGS_MODULE } from './data-structures';
import { eventUuid } from './facts';
import { formula, out } from './formula';
import { datastoreExists, datastoreGet } from './modules';
import { either } from './routers';

export interface Lookup {
  /** For module names: "this booking", "the replaced booking". */
  what: string;
  /** The record key; by default this delivery's booking. */
  key?: string;
  unknown: () => MakeModule[];
  /** With the id of the module that read the record; `read: false` skips reading it. */
  known: (record: number) => MakeModule[];
  read?: boolean;
}

export function lookUpBooking(ctx: BuildContext, lookup: Lookup): MakeModule[] {
  const store = ctx.options.makeIds.bookingsStore;
  const key = lookup.key ?? formula(eventUuid(ctx));
  const exists = datastoreExists(
    ctx.ids,
    `${BOOKINGS_MODULE}: is ${lookup.what} known?`,
    key,
    store,
  );
  exists.onerror = storeFailed(ctx, exists.id);
  const known = (): MakeModule[] => {
    if (lookup.read === false) return lookup.known(exists.id);
    const get = datastoreGet(ctx.ids, `${BOOKINGS_MODULE}: read ${lookup.what}`, key, store);
    get.onerror = storeFailed(ctx, get.id);
    return [get, ...lookup.known(get.id)];
  };
  return [
    exists,
    ...either(
      ctx.ids,
      `Is ${lookup.what} known?`,
      {
        name: `${capitalised(lookup.what)} is known`,
        conditions: condition(formula(out(exists.id, 'exist')), 'boolean:equal', 'true'),
      },
      known,
      lookup.unknown,
    ),
  ];
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
