import { defineCreate } from 'zapier-platform-core';
import { BOOKING_FIELD, inviteeEventFromInput } from '../zapier/booking-input';
import { LIFECYCLE_FIELD, lifecycleConfigFromInput } from '../zapier/lifecycle-settings';
import { itemFromOutcome, MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { runLifecycle, step } from '../zapier/step';

const F = BOOKING_FIELD;

export default defineCreate({
  key: 'cancel_meeting',
  noun: 'Meeting',
  display: {
    label: 'Cancel Meeting for Booking',
    description:
      "Deletes the Zoom meeting of a canceled Calendly booking and records the cancellation. A meeting already gone from Zoom counts as done; a group event's meeting stays until its last invitee cancels.",
  },
  operation: {
    inputFields: [F.event, F.invitee, F.rescheduled, F.newInvitee, LIFECYCLE_FIELD.reschedule],
    perform: step(async (engine, bundle) => {
      const event = inviteeEventFromInput(bundle.inputData, 'invitee.canceled');
      const outcome = await runLifecycle(engine, event, lifecycleConfigFromInput(bundle.inputData));
      return itemFromOutcome(outcome);
    }),
    sample: {
      ...MEETING_SAMPLE,
      outcome: 'cancelled',
      message: 'The booking is cancelled and its meeting deleted.',
      booking_status: 'cancelled',
    },
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
