// Filter operators ("Filtering" in Make's help): a filter passes when every condition of at least
// one AND-group holds. Each operator the simulator models is one entry below; any other is refused.

import type { MakeCondition, MakeFilter } from '../blueprint-types';
import { evaluateField } from './iml/template';
import type { ImlScope } from './iml/evaluate';
import { isEmpty, toDate, toNumber, toText, type ImlValue } from './iml/values';
import { own } from './own';

type Operator = (a: ImlValue, b: ImlValue) => boolean;

const text =
  (test: (a: string, b: string) => boolean, caseInsensitive = false): Operator =>
  (a, b) => {
    const fold = (v: ImlValue): string => (caseInsensitive ? toText(v).toLowerCase() : toText(v));
    return test(fold(a), fold(b));
  };
const number =
  (test: (a: number, b: number) => boolean): Operator =>
  (a, b) =>
    test(toNumber(a), toNumber(b));
const date =
  (test: (a: number, b: number) => boolean): Operator =>
  (a, b) =>
    test(toDate(a)?.getTime() ?? Number.NaN, toDate(b)?.getTime() ?? Number.NaN);

const TEXT_TESTS: Record<string, (a: string, b: string) => boolean> = {
  equal: (a, b) => a === b,
  notequal: (a, b) => a !== b,
  contain: (a, b) => a.includes(b),
  notcontain: (a, b) => !a.includes(b),
  startwith: (a, b) => a.startsWith(b),
  notstartwith: (a, b) => !a.startsWith(b),
  endwith: (a, b) => a.endsWith(b),
  notendwith: (a, b) => !a.endsWith(b),
};
const NUMBER_TESTS: Record<string, (a: number, b: number) => boolean> = {
  equal: (a, b) => a === b,
  notequal: (a, b) => a !== b,
  greater: (a, b) => a > b,
  less: (a, b) => a < b,
  greaterorequal: (a, b) => a >= b,
  lessorequal: (a, b) => a <= b,
};

export const FILTER_OPERATORS: Readonly<Record<string, Operator>> = {
  ...Object.fromEntries(
    Object.entries(TEXT_TESTS).flatMap(([name, test]) => [
      [`text:${name}`, text(test)],
      [`text:${name}:ci`, text(test, true)],
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(NUMBER_TESTS).flatMap(([name, test]) => [
      [`number:${name}`, number(test)],
      [`date:${name}`, date(test)],
    ]),
  ),
  'boolean:equal': (a, b) => toText(a) === toText(b),
  'boolean:notequal': (a, b) => toText(a) !== toText(b),
  exist: (a) => !isEmpty(a),
  notexist: (a) => isEmpty(a),
};

export function isModelledOperator(operator: string): boolean {
  return own(FILTER_OPERATORS, operator) !== undefined;
}

export function passes(filter: MakeFilter, scope: ImlScope): boolean {
  return filter.conditions.some((group) => group.every((c) => holds(c, scope)));
}

function holds(condition: MakeCondition, scope: ImlScope): boolean {
  const operator = own(FILTER_OPERATORS, condition.o);
  // Checked when the simulator is built; reaching here means the blueprint changed underneath.
  if (operator === undefined) throw new Error(`Unchecked filter operator ${condition.o}`);
  const a = evaluateField(condition.a, scope);
  const b = condition.b === undefined ? undefined : evaluateField(condition.b, scope);
  return operator(a, b);
}
