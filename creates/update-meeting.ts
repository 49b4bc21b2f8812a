import { defineCreate } from 'zapier-platform-core';
import type { MeetingPatch } from '../src/zoom/types';
import { invalid, optionalPositiveInteger, optionalText, optionalUtcTime } from '../zapier/input';
import { meetingItemFromZoom } from '../zapier/meeting-facts';
import { MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import {
  BOOKING_EVENT_FIELD,
  MEETING_HOST_FIELD,
  MEETING_ID_FIELD,
  resolveMeeting,
} from '../zapier/meeting-ref';
import { step } from '../zapier/step';

const FIELD = {
  startTime: {
    key: 'start_time',
    label: 'New Start Time',
    type: 'datetime' as const,
    required: false,
    helpText:
      'When the meeting should start, with its time zone (2026-03-10T14:00:00Z). Leave empty to keep the current time.',
  },
  duration: {
    key: 'duration_minutes',
    label: 'New Duration (minutes)',
    type: 'integer' as const,
    required: false,
    helpText: 'How long the meeting should last, in whole minutes. Leave empty to keep it.',
  },
  topic: {
    key: 'topic',
    label: 'New Topic',
    required: false,
    helpText: "The meeting's new title in Zoom. Leave empty to keep it.",
  },
};

export default defineCreate({
  key: 'update_meeting',
  noun: 'Meeting',
  display: {
    label: 'Update Meeting',
    description:
      'Updates the time, duration or topic of a Zoom meeting, named by its Zoom ID or by its Calendly booking. The join link stays the same.',
  },
  operation: {
    inputFields: [
      MEETING_HOST_FIELD,
      MEETING_ID_FIELD,
      BOOKING_EVENT_FIELD,
      FIELD.startTime,
      FIELD.duration,
      FIELD.topic,
    ],
    perform: step(async (engine, bundle) => {
      const input = bundle.inputData;
      const { meetingId, record } = await resolveMeeting(engine, input);
      const patch: MeetingPatch = {};
      const startTime = optionalUtcTime(input, FIELD.startTime.key, FIELD.startTime.label);
      if (startTime !== null) patch.startTime = startTime;
      const duration = optionalPositiveInteger(input, FIELD.duration.key, FIELD.duration.label);
      if (duration !== null) patch.durationMinutes = duration;
      const topic = optionalText(input, FIELD.topic.key);
      if (topic !== null) patch.topic = topic;
      if (Object.keys(patch).length === 0) {
        throw invalid(
          FIELD.startTime.key,
          FIELD.startTime.label,
          'or New Duration or New Topic is required: there is nothing to change',
        );
      }
      await engine.zoom.updateMeeting(meetingId, patch);
      const meeting = await engine.zoom.getMeeting(meetingId);
      return meetingItemFromZoom(
        engine,
        meeting,
        record,
        'updated',
        'The Zoom meeting was updated.',
      );
    }),
    sample: { ...MEETING_SAMPLE, outcome: 'updated', message: 'The Zoom meeting was updated.' },
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
