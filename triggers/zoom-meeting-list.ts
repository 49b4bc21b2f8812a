import { defineTrigger } from 'zapier-platform-core';
import { invalid, optionalText } from '../zapier/input';
import { MEETING_HOST_FIELD } from '../zapier/meeting-ref';
import { DROPDOWN_PAGE_SIZE, pageOf } from '../zapier/page-cursor';
import { step } from '../zapier/step';

/**
 * Feeds the Zoom Meeting ID dropdowns, a page at a time: Zoom lists meetings per host, so it
 * lists the upcoming meetings of the host picked in the step's Zoom Host field. Hidden.
 */
export default defineTrigger({
  key: 'zoom_meeting_list',
  noun: 'Zoom Meeting',
  display: {
    hidden: true,
    label: 'Upcoming Zoom Meetings',
    description:
      "Triggers when a meeting is scheduled for a Zoom host (lists the host's upcoming meetings for dropdowns).",
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    inputFields: [{ ...MEETING_HOST_FIELD, required: true }],
    perform: step(async (engine, bundle) => {
      const host = optionalText(bundle.inputData, MEETING_HOST_FIELD.key);
      if (host === null) {
        throw invalid(
          MEETING_HOST_FIELD.key,
          MEETING_HOST_FIELD.label,
          'is needed to list meetings: pick the host whose upcoming meetings to choose from',
        );
      }
      const meetings = await pageOf(engine.cursor, bundle.meta?.page ?? 0, (pageToken) =>
        engine.zoom.listUpcomingMeetingsPage(host, {
          pageSize: DROPDOWN_PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      return meetings.map((meeting) => ({
        id: meeting.id,
        topic: meeting.topic,
        start_time: meeting.startTime,
        label: `${meeting.topic || 'Untitled'} · ${meeting.startTime ?? 'no start time'} · ${meeting.id}`,
      }));
    }),
    sample: {
      id: '85746065432',
      topic: '30 Minute Consultation with Jane Doe',
      start_time: '2026-03-10T14:00:00Z',
      label: '30 Minute Consultation with Jane Doe · 2026-03-10T14:00:00Z · 85746065432',
    },
    outputFields: [
      { key: 'id', label: 'Zoom Meeting ID' },
      { key: 'topic', label: 'Topic' },
      { key: 'start_time', label: 'Start Time', type: 'datetime' },
      { key: 'label', label: 'Meeting (topic · start · ID)' },
    ],
  },
});
