// The IML functions the simulator models, one entry each, with the semantics of Make's function
// reference (make.com/en/help/functions: general, string, array, math, date & time). A name that
// is not in this table is refused by the simulator before any run.

import { createHash, createHmac } from 'node:crypto';
import { MakeUnsupportedError } from '../errors';
import { checkTimezone, formatDate, parseDate } from './dates';
import { isEmpty, toBoolean, toDate, toNumber, toText, valueAt, type ImlValue } from './values';

export type ImlFunction = (args: readonly ImlValue[]) => ImlValue;

const arrayOf = (value: ImlValue): ImlValue[] => (Array.isArray(value) ? value : []);
const path = (value: ImlValue): string[] => toText(value).split('.');

function addTime(unitMs: number): ImlFunction {
  return ([date, amount]) => {
    const d = toDate(date);
    return d === undefined ? undefined : new Date(d.getTime() + toNumber(amount) * unitMs);
  };
}

function numbers(args: readonly ImlValue[]): number[] {
  return args.flatMap((a) => (Array.isArray(a) ? a : [a])).map(toNumber);
}

export const IML_FUNCTIONS: Readonly<Record<string, ImlFunction>> = {
  // General functions
  /** `get(array; 1)` is the first item (arrays are 1-based); `get(object; "a.b")` follows a path. */
  get: ([source, key]) =>
    Array.isArray(source) && typeof key === 'number' ? source[key - 1] : valueAt(source, path(key)),
  if: ([condition, whenTrue, whenFalse]) => (toBoolean(condition) ? whenTrue : whenFalse),
  ifempty: ([value, fallback]) => (isEmpty(value) ? fallback : value),
  /** switch(expression; value1; result1; …; [else]): the first equal value's result. */
  switch: ([subject, ...cases]) => {
    for (let i = 0; i + 1 < cases.length; i += 2) {
      if (toText(subject) === toText(cases[i])) return cases[i + 1];
    }
    return cases.length % 2 === 1 ? cases[cases.length - 1] : undefined;
  },

  // Text functions
  trim: ([text]) => toText(text).trim(),
  lower: ([text]) => toText(text).toLowerCase(),
  upper: ([text]) => toText(text).toUpperCase(),
  /** `substring(text; start; end)`: 0-based, end excluded. */
  substring: ([text, start, end]) =>
    toText(text).substring(toNumber(start), end === undefined ? undefined : toNumber(end)),
  /** A /regex/ replaces per its flags; a plain text replaces every occurrence. */
  replace: ([text, search, replacement]) =>
    search instanceof RegExp
      ? toText(text).replace(search, toText(replacement))
      : toText(text).split(toText(search)).join(toText(replacement)),
  split: ([text, separator]) => (isEmpty(text) ? [] : toText(text).split(toText(separator))),
  length: ([value]) => (Array.isArray(value) ? value.length : toText(value).length),
  /** Text: does it contain the text; array: is the value one of its items. */
  contains: ([haystack, needle]) =>
    Array.isArray(haystack)
      ? haystack.some((item) => toText(item) === toText(needle))
      : toText(haystack).includes(toText(needle)),
  /** sha256(text; [encoding]; [key]): with a key it is the HMAC. */
  sha256: ([text, encoding, key, keyEncoding]) => {
    if (keyEncoding !== undefined) throw new MakeUnsupportedError(['sha256 key encoding']);
    const digest = toText(encoding) === '' ? 'hex' : toText(encoding);
    if (digest !== 'hex' && digest !== 'base64') {
      throw new MakeUnsupportedError([`sha256 encoding "${digest}"`]);
    }
    const hash = isEmpty(key) ? createHash('sha256') : createHmac('sha256', toText(key));
    return hash.update(toText(text), 'utf8').digest(digest);
  },

  // Array functions
  first: ([array]) => arrayOf(array)[0],
  last: ([array]) => {
    const items = arrayOf(array);
    return items[items.length - 1];
  },
  /**
   * map(array; key; [filter key]; [values]): the key of each item, keeping only items whose filter
   * key equals one of the comma-separated values.
   */
  map: ([array, key, filterKey, values]) => {
    const allowed = isEmpty(filterKey) ? null : toText(values).split(',');
    return arrayOf(array)
      .filter(
        (item) => allowed === null || allowed.includes(toText(valueAt(item, path(filterKey)))),
      )
      .map((item) => valueAt(item, path(key)));
  },

  // Math functions
  round: ([n]) => Math.round(toNumber(n)),
  floor: ([n]) => Math.floor(toNumber(n)),
  ceil: ([n]) => Math.ceil(toNumber(n)),
  max: (args) => Math.max(...numbers(args)),
  min: (args) => Math.min(...numbers(args)),

  // Date and time functions
  formatDate: ([date, format, timezone]) => {
    checkTimezone(isEmpty(timezone) ? undefined : toText(timezone));
    const d = toDate(date);
    return d === undefined ? '' : formatDate(d, toText(format));
  },
  parseDate: ([text, format, timezone]) => {
    checkTimezone(isEmpty(timezone) ? undefined : toText(timezone));
    return isEmpty(text)
      ? undefined
      : parseDate(toText(text), isEmpty(format) ? undefined : toText(format));
  },
  addSeconds: addTime(1000),
  addMinutes: addTime(60_000),
  addHours: addTime(3_600_000),
  addDays: addTime(86_400_000),
};
