import { DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '../src/lifecycle';
import type { ZoomMeetingSettings } from '../src/zoom/types';
import { choice, optionalBoolean, optionalText, type InputData } from './input';

/** The hidden trigger that lists Zoom users for dropdowns: `trigger.value.label`. */
export const ZOOM_USER_DROPDOWN = 'zoom_user_list.email.email';

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
    helpText: 'What a rescheduled booking does to its meeting. Use the same choice in both Zaps.',
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
  },
  joinBeforeHost: {
    key: 'join_before_host',
    label: 'Join Before Host',
    type: 'boolean' as const,
    required: false,
    default: 'false',
  },
  autoRecording: {
    key: 'auto_recording',
    label: 'Automatic Recording',
    required: false,
    default: 'none',
    choices: { none: 'None', local: 'Local', cloud: 'Cloud (paid Zoom plan)' },
  },
} as const;

export const LIFECYCLE_FIELDS = Object.values(LIFECYCLE_FIELD);

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
