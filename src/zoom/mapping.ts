import type {
  CreateMeetingParams,
  MeetingPatch,
  ZoomMeeting,
  ZoomMeetingSettings,
  ZoomUser,
} from './types';

/** The guide's defaults: hosts and invitees on video, nobody in before the host, no recording. */
export const DEFAULT_MEETING_SETTINGS: Readonly<ZoomMeetingSettings> = Object.freeze({
  host_video: true,
  participant_video: true,
  join_before_host: false,
  waiting_room: true,
  mute_upon_entry: true,
  auto_recording: 'none',
});

/** Zoom's meeting type for a one-off meeting at a set time. */
const SCHEDULED_MEETING = 2;

/**
 * JSON.parse, except that integer ids of 16+ digits are read as strings first. Today's meeting ids
 * (11 digits) are exact as numbers, but an id past 2^53 would be silently rounded, and a rounded id
 * deletes nothing (or the wrong meeting). Only a key directly after `{` or `,` is touched, so text
 * inside string values (agendas) is left alone.
 */
export function parseZoomJson(text: string): unknown {
  return JSON.parse(
    text.replace(/([{,]\s*"(?:id|pmi)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'),
  );
}

/** Meeting ids travel as strings everywhere: they exceed 32 bits, and stores mangle big numbers. */
export function meetingIdToString(id: unknown): string | null {
  if (typeof id === 'string' && /^\d+$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return String(id);
  return null;
}

export function toZoomMeeting(body: unknown): ZoomMeeting {
  const record = asRecord(body);
  const id = meetingIdToString(record.id);
  if (id === null) throw new Error('meeting id');
  const joinUrl = record.join_url;
  if (typeof joinUrl !== 'string' || joinUrl === '') throw new Error('join_url');
  return {
    id,
    joinUrl,
    startUrl: optionalString(record.start_url),
    password: optionalString(record.password),
    hostId: optionalString(record.host_id),
    hostEmail: optionalString(record.host_email),
    topic: optionalString(record.topic) ?? '',
    agenda: optionalString(record.agenda),
    startTime: optionalString(record.start_time),
    durationMinutes: typeof record.duration === 'number' ? record.duration : null,
    timezone: optionalString(record.timezone),
  };
}

export function toZoomUser(body: unknown): ZoomUser {
  const record = asRecord(body);
  const id = optionalString(record.id);
  const email = optionalString(record.email);
  if (id === null || email === null) throw new Error('user id and email');
  return {
    id,
    email,
    status: optionalString(record.status),
    accountId: optionalString(record.account_id),
    displayName:
      optionalString(record.display_name) ??
      optionalString(
        [record.first_name, record.last_name]
          .filter((part) => typeof part === 'string')
          .join(' ')
          .trim(),
      ),
  };
}

/** `POST /users/{host}/meetings` body. Settings: guide defaults < client defaults < this call's. */
export function createMeetingBody(
  params: CreateMeetingParams,
  defaultSettings: ZoomMeetingSettings = {},
): Record<string, unknown> {
  return {
    topic: params.topic,
    type: SCHEDULED_MEETING,
    start_time: toZoomTime(params.startTime),
    duration: params.durationMinutes,
    // start_time ends in Z, so this only decides how Zoom displays the time to the host.
    timezone: params.timezone ?? 'UTC',
    ...(params.agenda === undefined ? {} : { agenda: params.agenda }),
    ...(params.password === undefined ? {} : { password: params.password }),
    settings: { ...DEFAULT_MEETING_SETTINGS, ...defaultSettings, ...params.settings },
  };
}

/** `PATCH /meetings/{id}` body: only the fields being changed (Zoom's PATCH is partial). */
export function meetingPatchBody(patch: MeetingPatch): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (patch.topic !== undefined) body.topic = patch.topic;
  if (patch.startTime !== undefined) body.start_time = toZoomTime(patch.startTime);
  if (patch.durationMinutes !== undefined) body.duration = patch.durationMinutes;
  if (patch.agenda !== undefined) body.agenda = patch.agenda;
  if (patch.timezone !== undefined) body.timezone = patch.timezone;
  if (patch.settings !== undefined) body.settings = patch.settings;
  return body;
}

/** Zoom documents `yyyy-MM-ddTHH:mm:ssZ`; JavaScript's toISOString adds milliseconds. */
function toZoomTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('JSON object');
  return body as Record<string, unknown>;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
