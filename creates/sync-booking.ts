import { defineCreate } from 'zapier-platform-core';
import { runBookingAction } from '../zapier/booking-action';
import { INVITEE_FIELD } from '../zapier/booking-input';
import { haltIfHandledField, LIFECYCLE_FIELDS, SETTINGS_GROUP } from '../zapier/lifecycle-settings';
import { MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { step } from '../zapier/step';

export default defineCreate({
  key: 'sync_booking',
  noun: 'Booking',
  display: {
    label: 'Sync Booking',
    description:
      "Creates, moves or deletes a Calendly booking's Zoom meeting, whatever the booking's state calls for: map only its Invitee URI. Handles both halves of a reschedule in either order.",
  },
  operation: {
    inputFields: [INVITEE_FIELD, haltIfHandledField(false), ...LIFECYCLE_FIELDS],
    inputFieldGroups: [SETTINGS_GROUP],
    perform: step((engine, bundle) =>
      runBookingAction(engine, bundle.inputData, { canceledOnly: false, haltByDefault: false }),
    ),
    sample: MEETING_SAMPLE,
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
