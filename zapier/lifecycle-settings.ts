import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '../src/lifecycle';
import type { ZoomMeetingSettings } from '../src/zoom/types';
import { choice, optionalBoolean, optionalText, type InputData } from './input';

/** The hidden trigger that lists Zoom users for dropdowns: `trigger.value.label`. */
export const ZOOM_USER_DROPDOWN = 'zoom_user_list.email.name';

/** Where the optional settings sit in the editor, out of the way of the one required field. */
export const SETTINGS_GROUP = { key: 'meeting_settings', label: 'Meeting settings (optional)' };

/** How meetings are made: the same choices as the CLI's environment, per Zap step. */
export const LIFECYCLE_FIELD = {
  defaultHost: {
    key: 'default_host',
    label: 'Default Zoom Host',
    required: false,
    dynamic: ZOOM_USER_DROPDOWN,
    helpText:
      "The Zoom user (email) who hosts the meeting when the booking's host is not a user of your Zoom account, or the booking names no host. Pick one or type an email.",
  },
  topicTemplate: {
    key: 'topic_template',
    label: 'Meeting Topic',
    required: false,
    default: DEFAULT_LIFECYCLE_CONFIG.topicTemplate,
    helpText:
      "The meeting's title. Placeholders: {event} (event name), {invitee}, {invitee_email}, {host}.",
  },
  reschedule: {
    key: 'reschedule_mode',
    label: 'On Reschedule',
    required: false,
    default: 'recreate',
    choices: {
      recreate: 'Delete the old meeting and make a new one',
      move: 'Move the old meeting to the new time (its join link keeps working)',
    },
    helpText:
      'What a rescheduled booking does to its meeting. The choice made when the booking first reached this app is the one that counts, so every Zap on the booking agrees.',
  },
  nativeZoom: {
    key: 'native_zoom',
    label: 'Bookings That Already Have a Calendly Zoom Link',
    required: false,
    default: 'skip',
    choices: { skip: 'Skip them (no second meeting)', create: 'Make our own meeting anyway' },
    helpText:
      "If Calendly's own Zoom integration already made a meeting (Location Join URL is set), skipping avoids two meetings.",
  },
  waitingRoom: {
    key: 'waiting_room',
    label: 'Waiting Room',
    type: 'boolean' as const,
    required: false,
    default: 'true',
    helpText:
      'Invitees wait until the host lets them in. Applies to meetings this step makes; existing meetings keep their settings.',
  },
  joinBeforeHost: {
    key: 'join_before_host',
    label: 'Join Before Host',
    type: 'boolean' as const,
    required: false,
    default: 'false',
    helpText:
      'Let invitees start the meeting before the host arrives. Zoom ignores it while the waiting room is on.',
  },
  autoRecording: {
    key: 'auto_recording',
    label: 'Automatic Recording',
    required: false,
    default: 'none',
    choices: { none: 'None', local: 'Local', cloud: 'Cloud (paid Zoom plan)' },
    helpText:
      "Record every meeting this step makes: on the host's computer (Local) or in Zoom's cloud (Cloud, paid plans).",
  },
} as const;

/** The settings as input fields, grouped under SETTINGS_GROUP. */
export const LIFECYCLE_FIELDS = Object.values(LIFECYCLE_FIELD).map((field) => ({
  ...field,
  group: SETTINGS_GROUP.key,
}));

/**
 * "Stop this Zap if the booking was already handled": a Calendly redelivery, a replay or a second
 * Zap on the same booking would otherwise run the steps after this one (a confirmation email) again.
 */
export function haltIfHandledField(defaultOn: boolean) {
  return {
    key: 'halt_if_handled',
    label: 'Stop This Zap If the Booking Was Already Handled',
    type: 'boolean' as const,
    required: false,
    default: defaultOn ? 'true' : 'false',
    helpText:
      'When an earlier run already handled this booking (a Calendly retry, a replay, another Zap), stop here so the steps after this one do not run twice. The run shows as Halted, not as an error.',
  };
}

export function lifecycleConfigFromInput(input: InputData): LifecycleConfig {
  const F = LIFECYCLE_FIELD;
  const settings: ZoomMeetingSettings = {};
  const waitingRoom = optionalBoolean(input, F.waitingRoom.key, F.waitingRoom.label);
  if (waitingRoom !== null) settings.waiting_room = waitingRoom;
  const joinBeforeHost = optionalBoolean(input, F.joinBeforeHost.key, F.joinBeforeHost.label);
  if (joinBeforeHost !== null) settings.join_before_host = joinBeforeHost;
  const recording = optionalText(input, F.autoRecording.key);
  if (recording !== null) {
    const modes = ['none', 'local', 'cloud'] as const;
    settings.auto_recording = choice(
      input,
      F.autoRecording.key,
      F.autoRecording.label,
      modes,
      'none',
    );
  }
  return {
    ...DEFAULT_LIFECYCLE_CONFIG,
    topicTemplate:
      optionalText(input, F.topicTemplate.key) ?? DEFAULT_LIFECYCLE_CONFIG.topicTemplate,
    defaultHost: optionalText(input, F.defaultHost.key),
    reschedule: choice(
      input,
      F.reschedule.key,
      F.reschedule.label,
      ['recreate', 'move'],
      'recreate',
    ),
    nativeZoom: choice(input, F.nativeZoom.key, F.nativeZoom.label, ['skip', 'create'], 'skip'),
    meetingSettings: settings,
  };
}
