import { defineCreate } from 'zapier-platform-core';
import { BOOKING_FIELD, inviteeEventFromInput } from '../zapier/booking-input';
import { LIFECYCLE_FIELDS, lifecycleConfigFromInput } from '../zapier/lifecycle-settings';
import { itemFromOutcome, MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { runLifecycle, step } from '../zapier/step';

const F = BOOKING_FIELD;

export default defineCreate({
  key: 'create_meeting',
  noun: 'Meeting',
  display: {
    label: 'Create Meeting for Booking',
    description:
      "Makes the Zoom meeting for a Calendly booking, once: run it again for the same booking (a replay, a second Zap) and you get the same meeting back. Works with this app's Invitee Created trigger or Calendly's own.",
  },
  operation: {
    inputFields: [
      F.event,
      F.invitee,
      { ...F.startTime, required: true },
      F.endTime,
      F.duration,
      F.eventName,
      F.hostEmail,
      F.inviteeName,
      F.inviteeEmail,
      F.oldInvitee,
      F.locationType,
      F.locationJoinUrl,
      ...LIFECYCLE_FIELDS,
    ],
    perform: step(async (engine, bundle) => {
      const event = inviteeEventFromInput(bundle.inputData, 'invitee.created');
      const outcome = await runLifecycle(engine, event, lifecycleConfigFromInput(bundle.inputData));
      return itemFromOutcome(outcome, event);
    }),
    sample: MEETING_SAMPLE,
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
