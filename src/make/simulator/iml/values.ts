// Make's value types and the coercions its help pages describe ("Item data types", "Type
// coercion"): text, number, boolean, date, array, collection, and "empty" (null, missing or "").

export type ImlValue = unknown;

/** Make treats a missing value, null and "" alike: `ifempty`, `exist` and mappings all agree. */
export function isEmpty(value: ImlValue): boolean {
  return value === undefined || value === null || value === '';
}

export function isCollection(value: ImlValue): value is Record<string, ImlValue> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/**
 * How a value reads inside a text field: dates in ISO 8601 (UTC), arrays as their items joined
 * with ", ", collections as JSON.
 */
export function toText(value: ImlValue): string {
  if (isEmpty(value)) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Numbers as Make coerces them: dates are milliseconds, empty is NaN (so every comparison fails). */
export function toNumber(value: ImlValue): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isEmpty(value)) return Number.NaN;
  return Number(toText(value));
}

export function toBoolean(value: ImlValue): boolean {
  if (typeof value === 'boolean') return value;
  const text = toText(value).toLowerCase();
  return text !== '' && text !== 'false' && text !== '0';
}

/** A date from a Date or an ISO 8601 text (Make coerces text to date this way); else undefined. */
export function toDate(value: ImlValue): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return new Date(value);
  if (isEmpty(value)) return undefined;
  const parsed = new Date(toText(value));
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** `a.b.c` inside a collection (and into arrays by 1-based index). */
export function valueAt(root: ImlValue, path: readonly string[]): ImlValue {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key) - 1];
    else if (isCollection(current)) current = current[key];
    else return undefined;
  }
  return current;
}
