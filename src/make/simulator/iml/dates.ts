// formatDate/parseDate tokens ("Tokens for date/time formatting" and "…parsing" in Make's help,
// the moment.js set). Only UTC is modelled: another timezone is refused by name rather than
// silently treated as UTC.

import { MakeUnsupportedError } from '../errors';

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

export function checkTimezone(timezone: string | undefined): void {
  if (timezone !== undefined && timezone !== '' && !UTC_NAMES.has(timezone)) {
    throw new MakeUnsupportedError([`timezone "${timezone}" (only UTC is modelled)`]);
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const FORMAT_TOKENS: Record<string, (d: Date) => string> = {
  YYYY: (d) => pad(d.getUTCFullYear(), 4),
  YY: (d) => pad(d.getUTCFullYear() % 100),
  MM: (d) => pad(d.getUTCMonth() + 1),
  M: (d) => String(d.getUTCMonth() + 1),
  DD: (d) => pad(d.getUTCDate()),
  D: (d) => String(d.getUTCDate()),
  HH: (d) => pad(d.getUTCHours()),
  H: (d) => String(d.getUTCHours()),
  hh: (d) => pad(d.getUTCHours() % 12 || 12),
  h: (d) => String(d.getUTCHours() % 12 || 12),
  mm: (d) => pad(d.getUTCMinutes()),
  m: (d) => String(d.getUTCMinutes()),
  ss: (d) => pad(d.getUTCSeconds()),
  s: (d) => String(d.getUTCSeconds()),
  SSS: (d) => pad(d.getUTCMilliseconds(), 3),
  A: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  a: (d) => (d.getUTCHours() < 12 ? 'am' : 'pm'),
  X: (d) => String(Math.floor(d.getTime() / 1000)),
  x: (d) => String(d.getTime()),
  Z: () => '+00:00',
  ZZ: () => '+0000',
};
// Longest first, so "YYYY" is never read as two "YY".
const FORMAT_PATTERN = new RegExp(
  `\\[[^\\]]*\\]|${Object.keys(FORMAT_TOKENS)
    .sort((a, b) => b.length - a.length)
    .join('|')}`,
  'g',
);

export function formatDate(date: Date, format: string): string {
  return format.replace(FORMAT_PATTERN, (token) =>
    token.startsWith('[') ? token.slice(1, -1) : (FORMAT_TOKENS[token]?.(date) ?? token),
  );
}

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'zone' | 'unix';
const PARSE_TOKENS: Array<[RegExp, string, Field]> = [
  [/^YYYY/, '(\\d{4})', 'year'],
  [/^MM/, '(\\d{2})', 'month'],
  [/^DD/, '(\\d{2})', 'day'],
  [/^HH/, '(\\d{2})', 'hour'],
  [/^mm/, '(\\d{2})', 'minute'],
  [/^ss/, '(\\d{2})', 'second'],
  [/^S{1,9}/, '', 'fraction'],
  [/^Z{1,2}/, '(Z|[+-]\\d{2}:?\\d{2})', 'zone'],
  [/^X/, '(-?\\d+)', 'unix'],
];

/**
 * Strict parsing against a format; undefined when the text does not match (as an invalid date
 * maps to an empty value). Without a format, ISO 8601 is read.
 */
export function parseDate(text: string, format: string | undefined): Date | undefined {
  if (format === undefined || format === '') {
    const iso = new Date(text);
    return Number.isNaN(iso.getTime()) ? undefined : iso;
  }
  const fields: Field[] = [];
  let pattern = '';
  let rest = format;
  while (rest.length > 0) {
    const token = PARSE_TOKENS.find(([re]) => re.test(rest));
    if (token === undefined) {
      // "T" separates date and time in ISO formats; any other letter would be a token we lack.
      if (/^[A-SU-Za-z]/.test(rest)) {
        throw new MakeUnsupportedError([`parseDate token "${rest.slice(0, 1)}" in "${format}"`]);
      }
      pattern += (rest[0] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      rest = rest.slice(1);
      continue;
    }
    const [re, group, field] = token;
    const matched = re.exec(rest)?.[0] ?? '';
    pattern += field === 'fraction' ? `(\\d{${matched.length}})` : group;
    fields.push(field);
    rest = rest.slice(matched.length);
  }
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (m === null) return undefined;
  const value = (field: Field): string | undefined => {
    const at = fields.indexOf(field);
    return at === -1 ? undefined : m[at + 1];
  };
  const unix = value('unix');
  if (unix !== undefined) return new Date(Number(unix) * 1000);
  const num = (field: Field, fallback: number): number => {
    const v = value(field);
    return v === undefined ? fallback : Number(v);
  };
  const fraction = value('fraction');
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let time = Date.UTC(
    num('year', 1970),
    num('month', 1) - 1,
    num('day', 1),
    num('hour', 0),
    num('minute', 0),
    num('second', 0),
    ms,
  );
  const zone = value('zone');
  if (zone !== undefined && zone !== 'Z') {
    const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) ?? [];
    const offset = (Number(hh) * 60 + Number(mm)) * 60_000;
    time -= sign === '-' ? -offset : offset;
  }
  return new Date(time);
}
