import { defineCreate } from 'zapier-platform-core';
import { MEETING_HOST_FIELD, MEETING_ID_FIELD, requiredMeetingId } from '../zapier/meeting-ref';
import { step } from '../zapier/step';

export default defineCreate({
  key: 'delete_meeting',
  noun: 'Meeting',
  display: {
    label: 'Delete Meeting',
    description:
      'Deletes a Zoom meeting by its ID. This cannot be undone: its join link stops working. A meeting already gone counts as deleted. For a canceled Calendly booking use Cancel Meeting for Booking, which also records the cancellation.',
  },
  operation: {
    inputFields: [MEETING_HOST_FIELD, { ...MEETING_ID_FIELD, required: true }],
    perform: step(async (engine, bundle) => {
      const meetingId = requiredMeetingId(bundle.inputData);
      const { status } = await engine.zoom.deleteMeeting(meetingId);
      return {
        id: meetingId,
        meeting_id: meetingId,
        result: status,
        message:
          status === 'deleted'
            ? 'The Zoom meeting was deleted.'
            : 'The Zoom meeting was already gone (deleted or expired); nothing to do.',
      };
    }),
    sample: {
      id: '85746065432',
      meeting_id: '85746065432',
      result: 'deleted',
      message: 'The Zoom meeting was deleted.',
    },
    outputFields: [
      { key: 'id', label: 'ID' },
      { key: 'meeting_id', label: 'Zoom Meeting ID' },
      { key: 'result', label: 'Result (deleted / already_gone)' },
      { key: 'message', label: 'What Happened' },
    ],
  },
});
