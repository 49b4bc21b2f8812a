import { defineCreate } from 'zapier-platform-core';
import { runBookingAction } from '../zapier/booking-action';
import { INVITEE_FIELD } from '../zapier/booking-input';
import { haltIfHandledField, LIFECYCLE_FIELD, SETTINGS_GROUP } from '../zapier/lifecycle-settings';
import { MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { step } from '../zapier/step';

export default defineCreate({
  key: 'cancel_meeting',
  noun: 'Meeting',
  display: {
    label: 'Cancel Meeting for Booking',
    description:
      "Deletes the Zoom meeting of a canceled Calendly booking and records the cancellation: map only its Invitee URI. A meeting already gone from Zoom counts as done; a group event's meeting stays until its last invitee cancels.",
  },
  operation: {
    inputFields: [
      INVITEE_FIELD,
      haltIfHandledField(false),
      { ...LIFECYCLE_FIELD.reschedule, group: SETTINGS_GROUP.key },
    ],
    inputFieldGroups: [SETTINGS_GROUP],
    perform: step((engine, bundle) =>
      runBookingAction(engine, bundle.inputData, { canceledOnly: true, haltByDefault: false }),
    ),
    sample: {
      ...MEETING_SAMPLE,
      outcome: 'cancelled',
      message: 'The booking is cancelled and its meeting deleted.',
      booking_status: 'cancelled',
    },
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
