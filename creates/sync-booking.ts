import { defineCreate } from 'zapier-platform-core';
import {
  ALL_BOOKING_FIELDS,
  BOOKING_FIELD,
  eventKindFromInput,
  inviteeEventFromInput,
} from '../zapier/booking-input';
import { LIFECYCLE_FIELDS, lifecycleConfigFromInput } from '../zapier/lifecycle-settings';
import { itemFromOutcome, MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { runLifecycle, step } from '../zapier/step';

export default defineCreate({
  key: 'sync_booking',
  noun: 'Booking',
  display: {
    label: 'Sync Booking',
    description:
      'Does whatever a Calendly invitee event calls for: makes the meeting for a booking, deletes it for a cancellation, and handles both halves of a reschedule in either order. Map every field from the trigger.',
  },
  operation: {
    inputFields: [
      ...ALL_BOOKING_FIELDS.map((field) =>
        // Start Time only matters for creations, which check it themselves.
        field.key === BOOKING_FIELD.startTime.key ? { ...field, required: false } : field,
      ),
      ...LIFECYCLE_FIELDS,
    ],
    perform: step(async (engine, bundle) => {
      const event = inviteeEventFromInput(bundle.inputData, eventKindFromInput(bundle.inputData));
      const outcome = await runLifecycle(engine, event, lifecycleConfigFromInput(bundle.inputData));
      return itemFromOutcome(outcome, event);
    }),
    sample: MEETING_SAMPLE,
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
