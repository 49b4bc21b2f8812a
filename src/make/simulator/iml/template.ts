// A module field as Make stores it: literal text with `{{formula}}` parts. A field that is one
// formula and nothing else keeps the formula's type (a number stays a number); any other field is
// text, each formula's value printed into it.

import { namesIn } from './parse';
import { evaluateIml, parseCached, type ImlScope } from './evaluate';
import { toText, type ImlValue } from './values';

const FORMULA = /\{\{([\s\S]*?)\}\}/g;

export function evaluateField(field: string, scope: ImlScope): ImlValue {
  const lone = /^\{\{([\s\S]*)\}\}$/.exec(field);
  if (lone !== null && !(lone[1] ?? '').includes('}}')) {
    return evaluateIml(parseCached(lone[1] ?? ''), scope);
  }
  return field.replace(FORMULA, (_, source: string) =>
    toText(evaluateIml(parseCached(source), scope)),
  );
}

/** Every string inside a mapper (objects, arrays) evaluated; other values kept. */
export function evaluateDeep(value: unknown, scope: ImlScope): ImlValue {
  if (typeof value === 'string') return evaluateField(value, scope);
  if (Array.isArray(value)) return value.map((item) => evaluateDeep(item, scope));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, evaluateDeep(item, scope)]),
    );
  }
  return value;
}

/** Function and keyword names used by every formula inside a value. Parses (and caches) them. */
export function formulaNames(value: unknown): { functions: string[]; keywords: string[] } {
  const functions: string[] = [];
  const keywords: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const match of v.matchAll(FORMULA)) {
        const names = namesIn(parseCached(match[1] ?? ''));
        functions.push(...names.functions);
        keywords.push(...names.keywords);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  visit(value);
  return { functions, keywords };
}
