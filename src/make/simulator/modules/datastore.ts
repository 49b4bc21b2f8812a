// Data store app (make.com/en/help/tools/data-store): check, get, add/replace, update, delete and
// search records. Where Make's documentation leaves a behaviour open, the simulator plays the
// reading chosen in `services.interpretation` (docs/make.md lists them).

import type { MakeCondition, MakeModule } from '../../blueprint-types';
import type { MakeDataStore, RecordData } from '../data-stores';
import { MakeModuleError } from '../errors';
import { FILTER_OPERATORS } from '../filters';
import { isCollection, toBoolean, toNumber, toText, type ImlValue } from '../iml/values';
import { own } from '../own';
import type { ModuleCall, ModuleFamily, ModuleHandler, SimulatorServices } from '../registry';

function storeOf(module: MakeModule, services: SimulatorServices): MakeDataStore {
  const store = services.stores.forModule(module.parameters?.datastore);
  // Checked before any run (see `check` below), so this is a programming error.
  if (store === undefined) throw new Error(`Module ${module.id} has no data store`);
  return store;
}

function keyOf(call: ModuleCall): string {
  return toText(call.evaluate(call.module.mapper?.key));
}

function dataOf(call: ModuleCall): RecordData {
  const data = call.evaluate(call.module.mapper?.data ?? {});
  return isCollection(data) ? data : {};
}

const checkStore = (module: MakeModule, services: SimulatorServices): string[] =>
  services.stores.forModule(module.parameters?.datastore) === undefined
    ? [
        `module ${module.id} (${module.module}): data store ${JSON.stringify(module.parameters?.datastore ?? 'not picked')} is not one the simulator was given`,
      ]
    : [];

/** A microtask boundary: lets another run in flight take its turn between check and write. */
const interleave = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function handler(execute: ModuleHandler['execute']): ModuleHandler {
  return { check: checkStore, execute };
}

export const datastoreModules: ModuleFamily = {
  'datastore:ExistRecord': handler(async (call) => [
    { exist: storeOf(call.module, call.services).has(keyOf(call)) },
  ]),

  'datastore:GetRecord': {
    check: (module, services) => [
      ...checkStore(module, services),
      ...(module.mapper?.returnWrapped === true
        ? [`datastore:GetRecord returnWrapped (module ${module.id})`]
        : []),
    ],
    async execute(call) {
      const key = keyOf(call);
      const found = storeOf(call.module, call.services).get(key);
      if (found !== undefined) return [found];
      switch (call.services.interpretation.getMissingRecord) {
        case 'empty':
          return [{}];
        case 'no-bundle':
          return [];
        case 'error':
          throw new MakeModuleError('DataError', `Record "${key}" not found.`);
      }
    },
  },

  'datastore:AddRecord': handler(async (call) => {
    const store = storeOf(call.module, call.services);
    const key = keyOf(call);
    const data = dataOf(call);
    if (call.module.mapper?.overwrite !== true) {
      const exists = store.has(key);
      if (!call.services.interpretation.atomicAdd) await interleave();
      if (exists || (call.services.interpretation.atomicAdd && store.has(key))) {
        if (call.services.interpretation.addExistingKey === 'ignore') return [{ key }];
        throw new MakeModuleError(
          'DuplicateDataError',
          `A record with the key "${key}" already exists.`,
        );
      }
    }
    return [{ key, ...store.put(key, data, call.run.journal) }];
  }),

  /** Only the given fields change; "Insert missing record" (upsert) adds the record when absent. */
  'datastore:UpdateRecord': handler(async (call) => {
    const store = storeOf(call.module, call.services);
    const key = keyOf(call);
    const existing = store.get(key);
    if (existing === undefined && call.module.mapper?.upsert !== true) {
      if (call.services.interpretation.updateMissingRecord === 'ignore') return [{ key }];
      throw new MakeModuleError('DataError', `Record "${key}" not found.`);
    }
    return [{ key, ...store.put(key, { ...existing, ...dataOf(call) }, call.run.journal) }];
  }),

  'datastore:DeleteRecord': handler(async (call) => {
    storeOf(call.module, call.services).delete(keyOf(call), call.run.journal);
    return [{}];
  }),

  /**
   * Filter on record fields (`a` names a field or "key"; `b` is mapped), `limit` records at most,
   * one bundle `{key, data}` each. No match: nothing, unless "continue when no results" is on.
   */
  'datastore:SearchRecord': {
    check: (module, services) => [
      ...checkStore(module, services),
      ...searchGroups(module)
        .flat()
        .filter((c) => own(FILTER_OPERATORS, c.o) === undefined)
        .map((c) => `filter operator "${c.o}" (module ${module.id})`),
      ...(Array.isArray(module.mapper?.sort) && module.mapper.sort.length > 0
        ? [`datastore:SearchRecord sorting (module ${module.id})`]
        : []),
    ],
    async execute(call) {
      const store = storeOf(call.module, call.services);
      const groups = searchGroups(call.module);
      const limit = toNumber(call.module.parameters?.limit);
      const matching = store.entries().filter(([key, data]) =>
        groups.some((group) =>
          group.every((c) => {
            const operator = own(FILTER_OPERATORS, c.o);
            const value: ImlValue = c.a === 'key' ? key : data[c.a];
            return operator !== undefined && operator(value, call.evaluate(c.b));
          }),
        ),
      );
      const found = (Number.isFinite(limit) && limit > 0 ? matching.slice(0, limit) : matching).map(
        ([key, data]) => ({ key, data }),
      );
      if (found.length === 0 && toBoolean(call.module.parameters?.continueWhenNoRes)) return [{}];
      return found;
    },
  },
};

/** OR over AND-groups, as in a filter; no filter matches every record. */
function searchGroups(module: MakeModule): MakeCondition[][] {
  const filter = module.mapper?.filter;
  return Array.isArray(filter) && filter.length > 0
    ? (filter as unknown as MakeCondition[][])
    : [[]];
}
