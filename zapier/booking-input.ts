import type { InviteeEvent, InviteeEventKind } from '../src/calendly/invitee-event';
import {
  invalid,
  optionalBoolean,
  optionalPositiveInteger,
  optionalText,
  optionalUtcTime,
  requiredText,
  type InputData,
} from './input';

const CALENDLY_API = 'https://api.calendly.com';

/**
 * The booking a step acts on, as Zap fields. Keys match our trigger's output, so mapping is
 * one-to-one; labels say which field of Calendly's own Zapier app fits as well.
 */
export const BOOKING_FIELD = {
  eventKind: {
    key: 'event_kind',
    label: 'Event Kind',
    required: true,
    choices: { 'invitee.created': 'Invitee Created', 'invitee.canceled': 'Invitee Canceled' },
    helpText:
      'Map **Event Kind** from the Calendly trigger: it decides whether the meeting is made or removed.',
  },
  event: {
    key: 'event_uri',
    label: 'Calendly Event URI or UUID',
    required: true,
    helpText:
      'The scheduled event the booking is for: map **Event URI** (or the event UUID) from the Calendly trigger. One Zoom meeting is kept per scheduled event.',
  },
  invitee: {
    key: 'invitee_uri',
    label: 'Invitee URI',
    required: true,
    helpText:
      'Map **Invitee URI** from the Calendly trigger (in Calendly\'s own app: the invitee\'s "URI"). It tells the invitees of a group event apart and links the two halves of a reschedule.',
  },
  startTime: {
    key: 'start_time',
    label: 'Start Time',
    type: 'datetime' as const,
    helpText: 'When the booking starts, with its time zone. Map **Start Time** from the trigger.',
  },
  endTime: {
    key: 'end_time',
    label: 'End Time',
    type: 'datetime' as const,
    required: false,
    helpText: 'When it ends. Give this or Duration.',
  },
  duration: {
    key: 'duration_minutes',
    label: 'Duration (minutes)',
    type: 'integer' as const,
    required: false,
    helpText: 'Used when End Time is empty.',
  },
  eventName: {
    key: 'event_name',
    label: 'Event Name',
    required: false,
    helpText: 'For the meeting topic ({event}).',
  },
  hostEmail: {
    key: 'host_email',
    label: 'Host Email',
    required: false,
    helpText:
      "The booking's host (map **Host Email**). The meeting is made under this Zoom user; if it is not a user of your Zoom account, the Default Zoom Host takes the meeting.",
  },
  inviteeName: {
    key: 'invitee_name',
    label: 'Invitee Name',
    required: false,
    helpText: 'For the meeting topic ({invitee}).',
  },
  inviteeEmail: {
    key: 'invitee_email',
    label: 'Invitee Email',
    required: false,
    helpText: 'For the meeting topic ({invitee_email}).',
  },
  locationType: {
    key: 'location_type',
    label: 'Location Type',
    required: false,
    helpText:
      'Map **Location Type**: with Location Join URL it tells a booking that already has a Zoom link from Calendly itself.',
  },
  locationJoinUrl: {
    key: 'location_join_url',
    label: 'Location Join URL',
    required: false,
    helpText: 'Map **Location Join URL** (Calendly-made Zoom link, if any).',
  },
  oldInvitee: {
    key: 'old_invitee_uri',
    label: 'Old Invitee URI',
    required: false,
    helpText: 'Map **Old Invitee URI**: set when this booking is the new half of a reschedule.',
  },
  rescheduled: {
    key: 'rescheduled',
    label: 'Rescheduled',
    type: 'boolean' as const,
    required: false,
    helpText: 'Map **Rescheduled**: true when the cancellation is the old half of a reschedule.',
  },
  newInvitee: {
    key: 'new_invitee_uri',
    label: 'New Invitee URI',
    required: false,
    helpText: 'Map **New Invitee URI**: the booking that replaces a rescheduled one.',
  },
} as const;

/** Every booking field, for steps (sync_booking) that take both halves of the lifecycle. */
export const ALL_BOOKING_FIELDS = Object.values(BOOKING_FIELD);

/** `https://api.calendly.com/scheduled_events/<uuid>` or the bare UUID; URIs are opaque otherwise. */
export function eventRefFromInput(
  input: InputData,
  field: { key: string; label: string } = BOOKING_FIELD.event,
): { eventUri: string; eventUuid: string } {
  const value = requiredText(input, field.key, field.label);
  if (/^https?:\/\//i.test(value)) {
    return { eventUri: value.replace(/\/+$/, ''), eventUuid: lastSegment(value, field) };
  }
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    throw invalid(field.key, field.label, 'must be a Calendly scheduled event URI or its UUID');
  }
  return { eventUri: `${CALENDLY_API}/scheduled_events/${value}`, eventUuid: value };
}

/** The event kind a sync step was handed. */
export function eventKindFromInput(input: InputData): InviteeEventKind {
  const { key, label, choices } = BOOKING_FIELD.eventKind;
  const value = requiredText(input, key, label);
  if (!(value in choices)) {
    throw invalid(key, label, `must be invitee.created or invitee.canceled, not "${value}"`);
  }
  return value as InviteeEventKind;
}

/**
 * Builds the lifecycle's InviteeEvent from flat Zap fields. A creation needs its times; a
 * cancellation is identified by event and invitee alone, so its times may be empty (the
 * lifecycle never reads them on that path).
 */
export function inviteeEventFromInput(input: InputData, kind: InviteeEventKind): InviteeEvent {
  const F = BOOKING_FIELD;
  const { eventUri, eventUuid } = eventRefFromInput(input);
  const inviteeUri = requiredText(input, F.invitee.key, F.invitee.label).replace(/\/+$/, '');
  const times = bookingTimes(input, kind === 'invitee.created');
  const hostEmails = (optionalText(input, F.hostEmail.key) ?? '')
    .split(',')
    .map((email) => email.trim())
    .filter((email) => email !== '');
  const inviteeEmail = optionalText(input, F.inviteeEmail.key) ?? '';
  const newInviteeUri = optionalText(input, F.newInvitee.key);
  const rescheduled =
    optionalBoolean(input, F.rescheduled.key, F.rescheduled.label) ??
    (kind === 'invitee.canceled' && newInviteeUri !== null);
  return {
    kind,
    eventUri,
    eventUuid,
    inviteeUri,
    inviteeUuid: lastSegment(inviteeUri, F.invitee),
    eventName: optionalText(input, F.eventName.key) ?? 'Calendly event',
    eventTypeUri: null,
    ...times,
    hostEmail: hostEmails[0] ?? null,
    hostEmails,
    invitee: {
      name: optionalText(input, F.inviteeName.key) ?? (inviteeEmail || 'Invitee'),
      email: inviteeEmail,
      timezone: null,
    },
    rescheduled,
    oldInviteeUri: optionalText(input, F.oldInvitee.key),
    newInviteeUri,
    location: {
      type: optionalText(input, F.locationType.key),
      status: null,
      joinUrl: optionalText(input, F.locationJoinUrl.key),
    },
    seats: { active: null, total: null, limit: null },
    cancellation: null,
    questionsAndAnswers: [],
    cancelUrl: null,
    rescheduleUrl: null,
    deliveredAt: null,
    format: 'v2',
  };
}

function bookingTimes(
  input: InputData,
  required: boolean,
): { startTime: string; endTime: string; durationMinutes: number } {
  const F = BOOKING_FIELD;
  const start = optionalUtcTime(input, F.startTime.key, F.startTime.label);
  const end = optionalUtcTime(input, F.endTime.key, F.endTime.label);
  const duration = optionalPositiveInteger(input, F.duration.key, F.duration.label);
  if (start === null) {
    if (required) throw invalid(F.startTime.key, F.startTime.label, 'is required');
    return { startTime: '', endTime: '', durationMinutes: 0 };
  }
  const startMs = Date.parse(start);
  if (end !== null) {
    const minutes = Math.round((Date.parse(end) - startMs) / 60_000);
    if (minutes <= 0) throw invalid(F.endTime.key, F.endTime.label, 'must be after Start Time');
    return { startTime: start, endTime: end, durationMinutes: minutes };
  }
  if (duration !== null) {
    const endTime = new Date(startMs + duration * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { startTime: start, endTime, durationMinutes: duration };
  }
  if (required) throw invalid(F.endTime.key, F.endTime.label, 'or Duration (minutes) is required');
  return { startTime: start, endTime: '', durationMinutes: 0 };
}

function lastSegment(uri: string, field: { key: string; label: string }): string {
  const segment = uri.replace(/\/+$/, '').split('/').pop();
  if (!segment) throw invalid(field.key, field.label, 'has no id at its end');
  return segment;
}
