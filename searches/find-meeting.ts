import { defineSearch } from 'zapier-platform-core';
import { lastSegment } from '../src/calendly/json';
import { markedEventUri } from '../src/lifecycle';
import { invalid } from '../zapier/input';
import { currentMeeting, meetingItemFromZoom } from '../zapier/meeting-facts';
import { MEETING_OUTPUT_FIELDS, MEETING_SAMPLE, type MeetingItem } from '../zapier/meeting-item';
import {
  BOOKING_EVENT_FIELD,
  bookingEventFromInput,
  bookingWithMeeting,
  MEETING_HOST_FIELD,
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
    inputFields: [BOOKING_EVENT_FIELD, MEETING_HOST_FIELD, MEETING_ID_FIELD],
    perform: step(async (engine, bundle): Promise<MeetingItem[]> => {
      const input = bundle.inputData;
      const meetingId = meetingIdFromInput(input);
      const booking = meetingId === null ? bookingEventFromInput(input) : null;
      if (meetingId === null && booking === null) {
        throw invalid(
          BOOKING_EVENT_FIELD.key,
          BOOKING_EVENT_FIELD.label,
          'or Zoom Meeting ID is required',
        );
      }
      const record = booking === null ? null : await bookingWithMeeting(engine, booking.eventUuid);
      const id = meetingId ?? record?.meeting.id;
      if (id === undefined) return [];
      // A meeting deleted in Zoom: the search finds nothing rather than failing.
      const meeting = await currentMeeting(engine, id);
      if (meeting === null) return [];
      const item = await meetingItemFromZoom(
        engine,
        meeting,
        record,
        'found',
        'The Zoom meeting exists.',
      );
      const eventUri = item.event_uri ?? markedEventUri(meeting.agenda);
      const eventUuid = item.event_uuid ?? (eventUri === null ? null : lastSegment(eventUri));
      return [{ ...item, event_uri: eventUri, event_uuid: eventUuid }];
    }),
    sample: { ...MEETING_SAMPLE, outcome: 'found', message: 'The Zoom meeting exists.' },
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
