// Decisions in the scenario. Every router built here gives its routes filters that exclude one
// another exactly, so at most one route runs and the order Make runs routes in does not matter.

import type { MakeModule } from './blueprint-types';
import { and, condition, not, or, type Conditions } from './conditions';
import { filtered, router, type IdSequence } from './modules';

/** Two ways: `yes` when the condition holds, `no` otherwise. Either may be empty. */
export function either(
  ids: IdSequence,
  name: string,
  when: { name: string; conditions: Conditions },
  yes: () => MakeModule[],
  no: () => MakeModule[],
): MakeModule[] {
  return branches(ids, name, [
    { name: when.name, conditions: when.conditions, modules: yes },
    { name: `Not: ${when.name}`, conditions: not(when.conditions), modules: no },
  ]);
}

export interface Case {
  /** Text values of the subject this case takes. */
  values: readonly string[];
  name: string;
  modules: () => MakeModule[];
}

/** Many ways on one text value; `otherwise` takes every value no case names. */
export function switchOn(
  ids: IdSequence,
  name: string,
  subject: string,
  cases: readonly Case[],
  otherwise: { name: string; modules: () => MakeModule[] },
): MakeModule[] {
  const is = (values: readonly string[]): Conditions =>
    or(...values.map((value) => condition(subject, 'text:equal', value)));
  return branches(ids, name, [
    ...cases.map((c) => ({ name: c.name, conditions: is(c.values), modules: c.modules })),
    {
      name: otherwise.name,
      conditions: and(
        ...cases
          .flatMap((c) => c.values)
          .map((value) => condition(subject, 'text:notequal', value)),
      ),
      modules: otherwise.modules,
    },
  ]);
}

export interface Branch {
  name: string;
  conditions: Conditions;
  modules: () => MakeModule[];
}

/**
 * A router over branches whose conditions the caller made mutually exclusive. Empty branches are
 * dropped; a single branch needs no router and becomes a filtered chain (a router must end its
 * flow, a chain need not).
 */
export function oneOf(ids: IdSequence, name: string, all: readonly Branch[]): MakeModule[] {
  return branches(ids, name, all);
}

function branches(ids: IdSequence, name: string, all: readonly Branch[]): MakeModule[] {
  const live: Array<{ branch: Branch; modules: MakeModule[] }> = [];
  const build = (): MakeModule[][] => {
    for (const branch of all) {
      const modules = branch.modules();
      if (modules.length > 0) live.push({ branch, modules });
    }
    return live.map(({ branch, modules }) =>
      filtered(modules, { name: branch.name, conditions: branch.conditions }),
    );
  };
  // The router takes its id first so ids follow the flow; if it turns out to be needless, the
  // chain keeps that unused id out (ids need to be unique and increasing, not contiguous).
  const hub = router(ids, name, build);
  if (live.length === 0) return [];
  return live.length === 1 ? (hub.routes?.[0]?.flow ?? []) : [hub];
}
