// Tools (util:*) and JSON (json:ParseJSON) modules.

import { MakeModuleError } from '../errors';
import { toNumber, toText } from '../iml/values';
import type { ModuleFamily } from '../registry';

/** Make's "Sleep" accepts 1–300 seconds (its export's metadata says so). */
const MAX_SLEEP_SECONDS = 300;

export const toolModules: ModuleFamily = {
  'util:SetVariables': {
    async execute({ module, evaluate }) {
      const variables = (module.mapper?.variables ?? []) as Array<{ name: string; value: unknown }>;
      return [Object.fromEntries(variables.map((v) => [v.name, evaluate(v.value)]))];
    },
  },

  'util:SetVariable2': {
    async execute({ module, evaluate }) {
      return [{ [toText(module.mapper?.name)]: evaluate(module.mapper?.value) }];
    },
  },

  /** Virtual time: the scenario's clock moves on by the duration, no real waiting. */
  'util:FunctionSleep': {
    async execute({ module, evaluate, services }) {
      const seconds = toNumber(evaluate(module.mapper?.duration));
      if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_SLEEP_SECONDS) {
        throw new MakeModuleError(
          'DataError',
          `Sleep must be 1–300 seconds; got ${String(seconds)}.`,
        );
      }
      services.sleep(seconds * 1000);
      return [{}];
    },
  },

  /** Without a data structure; a top-level array gives one bundle per item, as Make does. */
  'json:ParseJSON': {
    check: (module) =>
      (module.parameters?.type ?? '') === ''
        ? []
        : [`json:ParseJSON with a data structure (module ${module.id})`],
    async execute({ module, evaluate }) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(toText(evaluate(module.mapper?.json)));
      } catch (error) {
        throw new MakeModuleError('DataError', 'Source is not valid JSON.', { cause: error });
      }
      return Array.isArray(parsed) ? parsed : [parsed];
    },
  },
};
