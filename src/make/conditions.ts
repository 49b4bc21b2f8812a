// Filter conditions as values: OR over AND-groups (Make's own shape), with `and`, `or` and `not`.
// `not` is what lets every router of the scenario give its routes exactly complementary filters,
// so that one route runs whatever order Make runs routes in (an order its documentation does not
// promise on help.make.com).

import type { MakeCondition } from './blueprint-types';

/** OR over AND-groups: `[[a, b], [c]]` is (a AND b) OR c. */
export type Conditions = MakeCondition[][];

export function condition(a: string, o: string, b?: string): Conditions {
  return [[b === undefined ? { a, o } : { a, o, b }]];
}

export function and(...parts: Conditions[]): Conditions {
  return parts.reduce<Conditions>(
    (acc, part) => acc.flatMap((left) => part.map((right) => [...left, ...right])),
    [[]],
  );
}

export function or(...parts: Conditions[]): Conditions {
  return parts.flat();
}

const OPPOSITE: Readonly<Record<string, string>> = {
  'text:equal': 'text:notequal',
  'text:contain': 'text:notcontain',
  'text:startwith': 'text:notstartwith',
  'text:endwith': 'text:notendwith',
  'number:equal': 'number:notequal',
  'number:greater': 'number:lessorequal',
  'number:less': 'number:greaterorequal',
  'boolean:equal': 'boolean:notequal',
  exist: 'notexist',
};
const NEGATION: Readonly<Record<string, string>> = {
  ...OPPOSITE,
  ...Object.fromEntries(Object.entries(OPPOSITE).map(([a, b]) => [b, a])),
};

/**
 * De Morgan, then back to OR-of-ANDs. Numeric conditions negate exactly only when both sides are
 * numbers: the scenario wraps every numeric operand in `ifempty(…; 0)` for that reason.
 */
export function not(conditions: Conditions): Conditions {
  return and(
    ...conditions.map((group) =>
      group.map((c) => {
        const o = NEGATION[c.o];
        if (o === undefined) throw new Error(`No negation for filter operator ${c.o}`);
        return [c.b === undefined ? { a: c.a, o } : { a: c.a, o, b: c.b }];
      }),
    ),
  );
}
