import { inviteeIds, isCalendlyId, scheduledEventId } from './calendly-uri';
import { DEFAULT_CALENDLY_API_URL } from './client';
import { InvalidPayloadError, UnsupportedEventError, type PayloadRule } from './errors';

export type InviteeEventKind = 'invitee.created' | 'invitee.canceled';

export interface InviteeEvent {
  kind: InviteeEventKind;
  /** The scheduled event: one Zoom meeting per scheduled event, keyed on its UUID. */
  eventUri: string;
  eventUuid: string;
  inviteeUri: string;
  inviteeUuid: string;
  eventName: string;
  eventTypeUri: string | null;
  /** ISO 8601 UTC, seconds precision: `2026-03-10T14:00:00Z`. */
  startTime: string;
  endTime: string;
  /** Computed from end - start: Calendly sends no duration. */
  durationMinutes: number;
  /** The first host; null when the payload names none (the default host applies). */
  hostEmail: string | null;
  hostEmails: string[];
  invitee: { name: string; email: string; timezone: string | null };
  rescheduled: boolean;
  oldInviteeUri: string | null;
  newInviteeUri: string | null;
  location: { type: string | null; status: string | null; joinUrl: string | null };
  seats: { active: number | null; total: number | null; limit: number | null };
  cancellation: {
    canceledBy: string | null;
    reason: string | null;
    cancelerType: string | null;
  } | null;
  questionsAndAnswers: { question: string; answer: string }[];
  cancelUrl: string | null;
  rescheduleUrl: string | null;
  /** When Calendly created the delivery (ISO), if it says. */
  deliveredAt: string | null;
  format: 'v2' | 'legacy-v1';
}

export interface ParseOptions {
  /**
   * The Calendly API base its URIs must start with (CALENDLY_API_URL; no trailing slash). Only
   * tests and local fakes change it from https://api.calendly.com.
   */
  calendlyApiUrl?: string;
}

const HANDLED: readonly string[] = ['invitee.created', 'invitee.canceled'];
/** `invitee.created`, `invitee_no_show.created`, `routing_form_submission.created` … */
const EVENT_NAME = /^[a-z][a-z_]{0,62}\.[a-z][a-z_]{0,62}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

type Json = Record<string, unknown>;

/**
 * Turns a Calendly invitee webhook body (parsed JSON, or the raw text) into an InviteeEvent.
 * Accepts the API v2 shape that Calendly sends and the retired v1 shape of the implementation
 * guide. Throws InvalidPayloadError naming the first missing or malformed field and the rule it
 * broke, or UnsupportedEventError for Calendly events this integration does not handle.
 *
 * Every field is read by a fixed path, never by walking the body, and every value kept is a
 * string or a number: a hostile nesting depth anywhere is either refused by name or never looked
 * at, and nothing deep reaches a later JSON.stringify.
 */
export function parseInviteeEvent(json: unknown, options: ParseOptions = {}): InviteeEvent {
  const apiUrl = options.calendlyApiUrl ?? DEFAULT_CALENDLY_API_URL;
  const body = asObject(decode(json), '(body)');
  const eventName = body['event'];
  if (eventName === undefined || eventName === null || eventName === '') throw missing('event');
  if (typeof eventName !== 'string') throw invalid('event', 'not_string');
  if (!EVENT_NAME.test(eventName)) throw invalid('event', 'not_event_name');
  if (!HANDLED.includes(eventName)) throw new UnsupportedEventError(eventName);
  const kind = eventName as InviteeEventKind;
  const payload = asObject(body['payload'], 'payload');
  const deliveredAt = optionalString(body, 'created_at', '') ?? optionalString(body, 'time', '');
  // v1 nests the event as an object; in v2 `payload.event` is a URI string. Anything else is
  // read as v2 (what Calendly sends), so a missing field is named as v2 names it.
  return isObject(payload['event']) && !('scheduled_event' in payload)
    ? parseLegacy(kind, payload, deliveredAt, apiUrl)
    : parseV2(kind, payload, deliveredAt, apiUrl);
}

function parseV2(
  kind: InviteeEventKind,
  p: Json,
  deliveredAt: string | null,
  apiUrl: string,
): InviteeEvent {
  const se = asObject(p['scheduled_event'], 'payload.scheduled_event');
  const eventUri = requiredString(se, 'uri', 'payload.scheduled_event');
  const eventUuid = scheduledEventId(eventUri, apiUrl);
  if (eventUuid === null) throw invalid('payload.scheduled_event.uri', 'not_calendly_uri', apiUrl);
  const inviteeUri = requiredString(p, 'uri', 'payload');
  const invitee = inviteeIds(inviteeUri, apiUrl);
  // An invitee always lives under its own scheduled event.
  if (invitee?.eventUuid !== eventUuid) throw invalid('payload.uri', 'not_calendly_uri', apiUrl);
  const { startTime, endTime, durationMinutes } = times(se, 'payload.scheduled_event');
  const memberships = optionalArray(se, 'event_memberships', 'payload.scheduled_event');
  const hostEmails = memberships
    .map((m) => (isObject(m) ? m['user_email'] : undefined))
    .filter((e): e is string => typeof e === 'string' && e !== '');
  const location = isObject(se['location']) ? se['location'] : {};
  const counter = isObject(se['invitees_counter']) ? se['invitees_counter'] : {};
  const cancellationSource = isObject(p['cancellation'])
    ? p['cancellation']
    : isObject(se['cancellation'])
      ? se['cancellation']
      : null;
  return {
    kind,
    eventUri,
    eventUuid,
    inviteeUri,
    inviteeUuid: invitee.inviteeUuid,
    eventName: optionalString(se, 'name', 'payload.scheduled_event') ?? 'Calendly event',
    eventTypeUri: optionalString(se, 'event_type', 'payload.scheduled_event'),
    startTime,
    endTime,
    durationMinutes,
    hostEmail: hostEmails[0] ?? null,
    hostEmails,
    invitee: {
      name: inviteeName(p, 'payload'),
      email: requiredString(p, 'email', 'payload'),
      timezone: optionalString(p, 'timezone', 'payload'),
    },
    rescheduled: p['rescheduled'] === true,
    oldInviteeUri: optionalInviteeUri(p, 'old_invitee', apiUrl),
    newInviteeUri: optionalInviteeUri(p, 'new_invitee', apiUrl),
    location: {
      type: optionalString(location, 'type', 'payload.scheduled_event.location'),
      status: optionalString(location, 'status', 'payload.scheduled_event.location'),
      joinUrl: optionalString(location, 'join_url', 'payload.scheduled_event.location'),
    },
    seats: {
      active: optionalCount(counter, 'active'),
      total: optionalCount(counter, 'total'),
      limit: optionalCount(counter, 'limit'),
    },
    cancellation: cancellationSource && {
      canceledBy: optionalString(cancellationSource, 'canceled_by', 'payload.cancellation'),
      reason: optionalString(cancellationSource, 'reason', 'payload.cancellation'),
      cancelerType: optionalString(cancellationSource, 'canceler_type', 'payload.cancellation'),
    },
    questionsAndAnswers: questions(p, 'payload'),
    cancelUrl: optionalString(p, 'cancel_url', 'payload'),
    rescheduleUrl: optionalString(p, 'reschedule_url', 'payload'),
    deliveredAt,
    format: 'v2',
  };
}

/** The guide's shape (Calendly API v1, retired 2025-08-27): ids only, so URIs are rebuilt. */
function parseLegacy(
  kind: InviteeEventKind,
  p: Json,
  deliveredAt: string | null,
  apiUrl: string,
): InviteeEvent {
  const ev = asObject(p['event'], 'payload.event');
  const inv = asObject(p['invitee'], 'payload.invitee');
  const eventUuid = requiredId(ev, 'uuid', 'payload.event');
  const inviteeUuid = requiredId(inv, 'uuid', 'payload.invitee');
  const eventUri = `${apiUrl}/scheduled_events/${eventUuid}`;
  const { startTime, endTime, durationMinutes } = times(ev, 'payload.event');
  const eventType = isObject(p['event_type']) ? p['event_type'] : {};
  const assigned = optionalArray(ev, 'extended_assigned_to', 'payload.event').filter(isObject);
  // The primary host first, as v1 marks it.
  assigned.sort((a, b) => Number(b['primary'] === true) - Number(a['primary'] === true));
  const hostEmails = assigned
    .map((a) => a['email'])
    .filter((e): e is string => typeof e === 'string' && e !== '');
  const loc = ev['location'];
  const location = isObject(loc)
    ? {
        type: optionalString(loc, 'type', 'payload.event.location'),
        status: optionalString(loc, 'status', 'payload.event.location'),
        joinUrl: optionalString(loc, 'join_url', 'payload.event.location'),
      }
    : {
        type: typeof loc === 'string' && loc !== '' ? 'custom' : null,
        status: null,
        joinUrl: null,
      };
  const canceled = kind === 'invitee.canceled';
  return {
    kind,
    eventUri,
    eventUuid,
    inviteeUri: `${eventUri}/invitees/${inviteeUuid}`,
    inviteeUuid,
    eventName: optionalString(eventType, 'name', 'payload.event_type') ?? 'Calendly event',
    eventTypeUri: null,
    startTime,
    endTime,
    durationMinutes,
    hostEmail: hostEmails[0] ?? null,
    hostEmails,
    invitee: {
      name: inviteeName(inv, 'payload.invitee'),
      email: requiredString(inv, 'email', 'payload.invitee'),
      timezone: optionalString(inv, 'timezone', 'payload.invitee'),
    },
    rescheduled: inv['is_reschedule'] === true,
    oldInviteeUri: legacyInviteeRef(p, 'old', apiUrl),
    newInviteeUri: legacyInviteeRef(p, 'new', apiUrl),
    location,
    seats: { active: null, total: null, limit: null },
    cancellation: canceled
      ? {
          canceledBy: optionalString(inv, 'canceler_name', 'payload.invitee'),
          reason: optionalString(inv, 'cancel_reason', 'payload.invitee'),
          cancelerType: null,
        }
      : null,
    questionsAndAnswers: questions(p, 'payload'),
    cancelUrl: null,
    rescheduleUrl: null,
    deliveredAt,
    format: 'legacy-v1',
  };
}

/** v1 links a reschedule by `old_invitee`/`new_invitee`: a URI, or an object with the ids. */
function legacyInviteeRef(p: Json, which: 'old' | 'new', apiUrl: string): string | null {
  const invitee = p[`${which}_invitee`];
  if (!isObject(invitee)) return optionalInviteeUri(p, `${which}_invitee`, apiUrl);
  const inviteeUuid = optionalId(invitee, 'uuid', `payload.${which}_invitee`);
  if (inviteeUuid === null) return null;
  const event = p[`${which}_event`];
  const eventUuid = isObject(event) ? optionalId(event, 'uuid', `payload.${which}_event`) : null;
  return eventUuid
    ? `${apiUrl}/scheduled_events/${eventUuid}/invitees/${inviteeUuid}`
    : inviteeUuid;
}

function decode(json: unknown): unknown {
  if (typeof json !== 'string' && !Buffer.isBuffer(json)) return json;
  try {
    return JSON.parse(json.toString());
  } catch (cause) {
    // The parser's own message quotes the body around the error: kept as the cause, not shown.
    throw invalid('(body)', 'not_json', undefined, cause);
  }
}

function times(
  obj: Json,
  path: string,
): { startTime: string; endTime: string; durationMinutes: number } {
  const start = isoTime(obj, 'start_time', path);
  const end = isoTime(obj, 'end_time', path);
  if (end.getTime() <= start.getTime()) throw invalid(`${path}.end_time`, 'not_after_start');
  return {
    startTime: utcSeconds(start),
    endTime: utcSeconds(end),
    durationMinutes: Math.round((end.getTime() - start.getTime()) / 60_000),
  };
}

function isoTime(obj: Json, key: string, path: string): Date {
  const raw = requiredString(obj, key, path);
  const parsed = new Date(raw);
  if (!ISO_DATE_TIME.test(raw) || Number.isNaN(parsed.getTime()) || !realCalendarDate(raw)) {
    throw invalid(`${path}.${key}`, 'not_date_time');
  }
  return parsed;
}

/** `new Date` rolls 2026-02-30 over to March; a booking time like that is a broken payload. */
function realCalendarDate(raw: string): boolean {
  const [y, m, d] = raw.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function utcSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function inviteeName(obj: Json, path: string): string {
  const name = optionalString(obj, 'name', path);
  if (name) return name;
  const parts = [optionalString(obj, 'first_name', path), optionalString(obj, 'last_name', path)];
  const joined = parts.filter((x) => x).join(' ');
  if (joined) return joined;
  throw missing(`${path}.name`);
}

function optionalInviteeUri(p: Json, key: string, apiUrl: string): string | null {
  const uri = optionalString(p, key, 'payload');
  if (uri !== null && inviteeIds(uri, apiUrl) === null) {
    throw invalid(`payload.${key}`, 'not_calendly_uri', apiUrl);
  }
  return uri;
}

/**
 * The booking's answers, handed on to Zapier steps. Calendly's are strings; anything else (an
 * array nested 200,000 deep, say) is refused by name rather than turned into text.
 */
function questions(p: Json, path: string): { question: string; answer: string }[] {
  const field = `${path}.questions_and_answers`;
  return optionalArray(p, 'questions_and_answers', path).map((item, i) => {
    const q = asObject(item, `${field}[${i}]`);
    return {
      question: optionalString(q, 'question', `${field}[${i}]`) ?? '',
      answer: optionalString(q, 'answer', `${field}[${i}]`) ?? '',
    };
  });
}

function optionalCount(obj: Json, key: string): number | null {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown, field: string): Json {
  if (v === undefined || v === null) throw missing(field);
  if (!isObject(v)) throw invalid(field, 'not_object');
  return v;
}

function requiredString(obj: Json, key: string, path: string): string {
  const v = obj[key];
  const field = `${path}.${key}`;
  if (v === undefined || v === null || v === '') throw missing(field);
  if (typeof v !== 'string') throw invalid(field, 'not_string');
  return v;
}

function optionalString(obj: Json, key: string, path: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(path ? `${path}.${key}` : key, 'not_string');
  return v;
}

/** v1 ids become part of a URI we build, so they must look like ids. */
function requiredId(obj: Json, key: string, path: string): string {
  const id = requiredString(obj, key, path);
  if (!isCalendlyId(id)) throw invalid(`${path}.${key}`, 'not_calendly_id');
  return id;
}

function optionalId(obj: Json, key: string, path: string): string | null {
  return obj[key] === undefined || obj[key] === null || obj[key] === ''
    ? null
    : requiredId(obj, key, path);
}

function optionalArray(obj: Json, key: string, path: string): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`${path}.${key}`, 'not_array');
  return v;
}

function missing(field: string): InvalidPayloadError {
  return invalid(field, 'missing');
}

/**
 * The one place a parse error's message is written: from the field and the rule only, so no
 * value from the body ever reaches an answer or a log line.
 */
function invalid(
  field: string,
  rule: Exclude<PayloadRule, 'invalid'>,
  apiUrl?: string,
  cause?: unknown,
): InvalidPayloadError {
  const message: Record<typeof rule, string> = {
    missing: `Not a Calendly invitee event: ${field} is missing.`,
    not_json: 'The body is not valid JSON.',
    not_object: `${field} must be an object.`,
    not_array: `${field} must be an array.`,
    not_string: `${field} must be a string.`,
    not_date_time: `${field} is not an ISO 8601 date-time with a time zone.`,
    not_after_start: `${field} must be after start_time.`,
    not_event_name: 'event must be a Calendly event name such as "invitee.created".',
    not_calendly_uri:
      `${field} is not a Calendly API URI ` +
      `(${apiUrl ?? DEFAULT_CALENDLY_API_URL}/scheduled_events/<id>, …/invitees/<id>).`,
    not_calendly_id: `${field} is not a Calendly id (letters, digits, - and _).`,
  };
  return new InvalidPayloadError(field, message[rule], { rule, cause });
}
