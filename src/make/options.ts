import { ConfigError } from '../errors';
import { DEFAULT_LIFECYCLE_CONFIG } from '../lifecycle';
import { DEFAULT_MEETING_SETTINGS } from '../zoom/mapping';
import type { ZoomMeetingSettings } from '../zoom/types';
import type { JsonObject, JsonValue } from './blueprint-types';

/** What the generated scenario does; every field has the engine's default. */
export interface BlueprintOptions {
  /**
   * Zoom user the meetings are created under: `me`, an email, a Zoom user id, or `event-host`
   * (the Calendly host's email, as the engine does; each host then needs a Zoom user by that
   * email). Written into the scenario's Zoom calls; it can be changed after import.
   */
  zoomHost: string;
  /** Placeholders as in the engine: {event}, {invitee}, {invitee_email}, {host}. */
  topicTemplate: string;
  /** Replay window for the Calendly signature, in seconds, both directions. */
  signatureToleranceSeconds: number;
  /** `recreate`: delete the old meeting, create a new one. `move`: PATCH the old one. */
  reschedule: 'recreate' | 'move';
  /** Bookings whose location already has a Zoom link made by Calendly itself. */
  nativeZoom: 'skip' | 'create';
  /** Merged over the guide's defaults (DEFAULT_MEETING_SETTINGS). */
  meetingSettings: ZoomMeetingSettings;
  /**
   * The subscription's signing key, written into the signature check. A secret: whoever reads the
   * blueprint file can sign deliveries. Without it the check holds a placeholder and fails closed.
   */
  signingKey?: string;
  /** Zoom Server-to-Server OAuth Account ID, written into the token requests. */
  zoomAccountId?: string;
  /** Make ids the user already has, so the imported scenario needs no picking. */
  makeIds: MakeIds;
  /** Make team id, for the data structure file (Make's API needs it to create the structure). */
  teamId?: number;
}

export interface MakeIds {
  /** The custom webhook (its JSON pass-through and request headers turned on). */
  hook?: number;
  /** The bookings data store. */
  bookingsStore?: number;
  /** The Basic auth keychain holding the Zoom Client ID and Client Secret. */
  zoomKeychain?: number;
}

export type BlueprintOptionsInput = Partial<Omit<BlueprintOptions, 'makeIds'>> & {
  makeIds?: MakeIds;
};

/**
 * Long enough for a delivery that waited in Make's webhook queue (a deactivated or busy scenario)
 * to still be accepted. Replaying a delivery is harmless: every step is idempotent, and records
 * outlive the window (RECORD_RETENTION_SECONDS).
 */
export const DEFAULT_BLUEPRINT_TOLERANCE_SECONDS = 86_400;

/** `zoomHost` value that means "the Calendly event's host". */
export const EVENT_HOST = 'event-host';

export const DEFAULT_BLUEPRINT_OPTIONS: Readonly<BlueprintOptions> = Object.freeze({
  zoomHost: 'me',
  topicTemplate: DEFAULT_LIFECYCLE_CONFIG.topicTemplate,
  signatureToleranceSeconds: DEFAULT_BLUEPRINT_TOLERANCE_SECONDS,
  reschedule: 'recreate',
  nativeZoom: 'skip',
  meetingSettings: {},
  makeIds: {},
});

/** The placeholders a topic template may use: the same set the engine's lifecycle fills in. */
export const TOPIC_PLACEHOLDERS = ['event', 'invitee', 'invitee_email', 'host'] as const;
export type TopicPlaceholder = (typeof TOPIC_PLACEHOLDERS)[number];

// The host goes into a URL path unescaped, so only characters that need no escaping are allowed.
const ZOOM_HOST =
  /^(me|event-host|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[A-Za-z0-9_-]{6,64})$/;
// A week of queueing is already an outage someone must look at; beyond that, refuse.
const MAX_TOLERANCE_SECONDS = 7 * 86_400;
// Both land inside a Make text literal ("…"): no quotes, braces or spaces.
const SIGNING_KEY = /^[A-Za-z0-9_\-+/=.~]{8,256}$/;
const ZOOM_ACCOUNT_ID = /^[A-Za-z0-9_-]{4,64}$/;

/**
 * Fills in defaults and checks every field, collecting all problems so one run reports them all.
 * Throws ConfigError; never returns options that would generate a broken blueprint.
 */
export function resolveBlueprintOptions(input: BlueprintOptionsInput = {}): BlueprintOptions {
  const options: BlueprintOptions = {
    ...DEFAULT_BLUEPRINT_OPTIONS,
    ...definedOnly(input),
    makeIds: definedOnly({ ...input.makeIds }),
  };
  const problems: string[] = [];

  if (!ZOOM_HOST.test(options.zoomHost)) {
    problems.push(
      `Zoom host must be "me", an email address or a Zoom user id; got "${options.zoomHost}".`,
    );
  }
  problems.push(...topicTemplateProblems(options.topicTemplate));
  const tolerance = options.signatureToleranceSeconds;
  if (!Number.isInteger(tolerance) || tolerance < 1 || tolerance > MAX_TOLERANCE_SECONDS) {
    problems.push(
      `Signature tolerance must be a whole number of seconds from 1 to ${MAX_TOLERANCE_SECONDS}; got ${tolerance}.`,
    );
  }
  if (options.reschedule !== 'recreate' && options.reschedule !== 'move') {
    problems.push(
      `Reschedule handling must be "recreate" or "move"; got "${String(options.reschedule)}".`,
    );
  }
  if (options.nativeZoom !== 'skip' && options.nativeZoom !== 'create') {
    problems.push(
      `Native Zoom handling must be "skip" or "create"; got "${String(options.nativeZoom)}".`,
    );
  }
  if (options.signingKey !== undefined && !SIGNING_KEY.test(options.signingKey)) {
    // Never echo the key itself: the message ends up on screens and in logs.
    problems.push(
      'The signing key must be 8–256 characters of letters, digits and _ - + / = . ~ (as Calendly and `calendly-zoom webhooks subscribe` make them).',
    );
  }
  if (options.zoomAccountId !== undefined && !ZOOM_ACCOUNT_ID.test(options.zoomAccountId)) {
    problems.push(`The Zoom Account ID looks wrong: "${options.zoomAccountId}".`);
  }
  for (const [name, id] of Object.entries({ ...options.makeIds, team: options.teamId })) {
    if (id !== undefined && (!Number.isInteger(id) || id < 1)) {
      problems.push(`The Make ${name} id must be a positive whole number; got ${String(id)}.`);
    }
  }
  try {
    meetingSettingsJson(options);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return options;
}

/** The `settings` object sent to Zoom: the guide's defaults, then the caller's overrides. */
export function meetingSettingsJson(options: BlueprintOptions): JsonObject {
  const merged: Record<string, unknown> = {
    ...DEFAULT_MEETING_SETTINGS,
    ...options.meetingSettings,
  };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(merged)) {
    out[key] = toJson(value, `meeting setting "${key}"`);
  }
  return out;
}

/** Splits a topic template into literal text and placeholders, in order. */
export function parseTopicTemplate(
  template: string,
): Array<{ text: string } | { placeholder: TopicPlaceholder }> {
  const parts: Array<{ text: string } | { placeholder: TopicPlaceholder }> = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] ?? '';
    if (!isPlaceholder(name)) continue;
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    parts.push({ placeholder: name });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

function topicTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  if (template.trim() === '') problems.push('The topic template is empty.');
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] ?? '';
    if (!isPlaceholder(name)) {
      problems.push(
        `The topic template uses {${name}}; known placeholders are ${TOPIC_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
      );
    }
  }
  // The topic is pasted into a JSON string inside a Make text field: quotes, backslashes and
  // control characters would break the JSON, and braces would be read as Make formulas.
  // eslint-disable-next-line no-control-regex
  if (/["\\\u0000-\u001f]|\{\{|\}\}/.test(template)) {
    problems.push(
      'The topic template may not contain double quotes, backslashes, control characters, "{{" or "}}".',
    );
  }
  return problems;
}

function isPlaceholder(name: string): name is TopicPlaceholder {
  return (TOPIC_PLACEHOLDERS as readonly string[]).includes(name);
}

function definedOnly<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

function toJson(value: unknown, what: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item) => toJson(item, what));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJson(item, what);
    return out;
  }
  throw new Error(`The ${what} is not a JSON value.`);
}
