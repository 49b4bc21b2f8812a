import { defineSearch } from 'zapier-platform-core';
import { eventRefFromInput } from '../zapier/booking-input';
import { invalid, optionalText } from '../zapier/input';
import {
  itemFromMeeting,
  MEETING_OUTPUT_FIELDS,
  MEETING_SAMPLE,
  type MeetingItem,
} from '../zapier/meeting-item';
import {
  BOOKING_EVENT_FIELD,
  bookingWithMeeting,
  eventUriFromAgenda,
  isMeetingGone,
  MEETING_ID_FIELD,
  meetingIdFromInput,
} from '../zapier/meeting-ref';
import { step } from '../zapier/step';

export default defineSearch({
  key: 'find_meeting',
  noun: 'Meeting',
  display: {
    label: 'Find Meeting',
    description:
      "Finds a Zoom meeting by its Calendly booking (Event URI or UUID, looked up in the booking store) or by its Zoom ID. A meeting deleted in Zoom, or a canceled booking's, is not found.",
  },
  operation: {
    inputFields: [BOOKING_EVENT_FIELD, MEETING_ID_FIELD],
    perform: step(async (engine, bundle): Promise<MeetingItem[]> => {
      const input = bundle.inputData;
      const meetingId = meetingIdFromInput(input);
      if (meetingId === null && optionalText(input, BOOKING_EVENT_FIELD.key) === null) {
        throw invalid(
          BOOKING_EVENT_FIELD.key,
          BOOKING_EVENT_FIELD.label,
          'or Zoom Meeting ID is required',
        );
      }
      const record =
        meetingId === null
          ? await bookingWithMeeting(
              engine,
              eventRefFromInput(input, BOOKING_EVENT_FIELD).eventUuid,
            )
          : null;
      const id = meetingId ?? record?.meeting.id;
      if (id === undefined) return [];
      try {
        const meeting = await engine.zoom.getMeeting(id);
        const item = itemFromMeeting(meeting, 'found', 'The Zoom meeting exists.', record);
        const eventUri = item.event_uri ?? eventUriFromAgenda(meeting.agenda);
        return [
          { ...item, event_uri: eventUri, event_uuid: item.event_uuid ?? lastSegment(eventUri) },
        ];
      } catch (error) {
        if (isMeetingGone(error)) return [];
        throw error;
      }
    }),
    sample: { ...MEETING_SAMPLE, outcome: 'found', message: 'The Zoom meeting exists.' },
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});

function lastSegment(uri: string | null): string | null {
  return uri?.replace(/\/+$/, '').split('/').pop() || null;
}
