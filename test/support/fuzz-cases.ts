import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCalendlyPayload } from '../../src/calendly/signature';
import { prng } from './lifecycle-sim';

export const FUZZ_KEY = 'fuzz-signing-key-0123456789abcdef0123456789';
export const FUZZ_NOW = Date.parse('2026-11-26T12:00:00Z');

export interface FuzzCase {
  label: string;
  rawBody: Buffer;
  headers: Record<string, string>;
  /** Signed with the right key and a fresh timestamp over exactly these bytes. */
  validlySigned: boolean;
}

const FIXTURES = [
  'invitee.created.json',
  'invitee.canceled.json',
  'invitee.created.rescheduled.json',
  'invitee.canceled.rescheduled.json',
  'LEGACY-v1-invitee.created.DO-NOT-USE.json',
].map((name) => readFileSync(join(__dirname, '../fixtures/calendly', name)));

const SPECIALS = [
  '',
  'null',
  '[]',
  '{}',
  '"x"',
  '1e999',
  '{"event":null}',
  '{"event":"invitee.created","payload":[]}',
  '{"event":"invitee.created","payload":{"scheduled_event":{}}}',
  '{"event":"invitee_no_show.created","payload":{}}',
  '{"__proto__":{"polluted":true},"event":"invitee.created"}',
  '\u0000\u0001\u0002',
  '{"event":"invitee.created","payload":{"scheduled_event":{"uri":"x","start_time":"9999-99-99T99:99:99Z"}}}',
];

/**
 * Random and mutated deliveries, deterministic per seed: mutated real payloads (byte flips,
 * truncation, deleted or re-typed fields), hostile JSON, and every kind of bad signature header.
 * About a third are validly signed, so the parser sees hostile bodies the signature let through.
 */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const body = mutateBody(pick, rand);
    const t = Math.floor(FUZZ_NOW / 1000);
    const good = signCalendlyPayload(body, FUZZ_KEY, t);
    const headerKind = rand();
    let header: string | null;
    let validlySigned = false;
    if (headerKind < 0.35) {
      header = good;
      validlySigned = true;
    } else if (headerKind < 0.45) header = null;
    else if (headerKind < 0.55) header = signCalendlyPayload(body, 'wrong-key', t);
    else if (headerKind < 0.62) header = signCalendlyPayload(body, FUZZ_KEY, t - 10_000);
    else if (headerKind < 0.69) header = signCalendlyPayload(body, FUZZ_KEY, t + 10_000);
    else if (headerKind < 0.8) header = flipChar(good, rand);
    else header = randomText(rand, Math.floor(rand() * 120), pick);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (header !== null)
      headers[rand() < 0.5 ? 'calendly-webhook-signature' : 'Calendly-Webhook-Signature'] = header;
    cases.push({ label: `seed ${seed} case ${i}`, rawBody: body, headers, validlySigned });
  }
  return cases;
}

function mutateBody(pick: <T>(items: readonly T[]) => T, rand: () => number): Buffer {
  const kind = rand();
  if (kind < 0.15) return Buffer.from(pick(SPECIALS));
  if (kind < 0.25) return Buffer.from(randomText(rand, Math.floor(rand() * 400), pick));
  const source = pick(FIXTURES);
  if (kind < 0.4) {
    const bytes = Buffer.from(source);
    for (let n = 1 + Math.floor(rand() * 5); n > 0; n--) {
      bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    }
    return bytes;
  }
  if (kind < 0.5) return source.subarray(0, Math.floor(rand() * source.length));
  const json = JSON.parse(source.toString()) as unknown;
  mutateJson(json, rand, pick, 0);
  return Buffer.from(JSON.stringify(json));
}

const REPLACEMENTS: readonly unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x',
  '2026-13-45T25:61:00Z',
  '2026-03-10T14:00:00Z',
  true,
  [],
  {},
  ['a'],
  { uri: 5 },
];

function mutateJson(
  value: unknown,
  rand: () => number,
  pick: <T>(items: readonly T[]) => T,
  depth: number,
): void {
  if (typeof value !== 'object' || value === null || depth > 6) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const roll = rand();
    if (roll < 0.05) delete record[key];
    else if (roll < 0.12) record[key] = pick(REPLACEMENTS);
    else mutateJson(record[key], rand, pick, depth + 1);
  }
}

function flipChar(text: string, rand: () => number): string {
  const i = Math.floor(rand() * text.length);
  const c = text.charCodeAt(i);
  return text.slice(0, i) + String.fromCharCode(c === 48 ? 49 : 48) + text.slice(i + 1);
}

function randomText(
  rand: () => number,
  length: number,
  pick: <T>(items: readonly T[]) => T,
): string {
  const alphabet = [
    't',
    '=',
    ',',
    'v',
    '1',
    '0',
    'a',
    'f',
    ' ',
    '"',
    '{',
    '}',
    ':',
    '\\',
    'é',
    '\u0000',
  ];
  let out = '';
  for (let i = 0; i < length; i++) out += pick(alphabet);
  return out;
}
