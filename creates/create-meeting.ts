import { defineCreate } from 'zapier-platform-core';
import { runBookingAction } from '../zapier/booking-action';
import { INVITEE_FIELD } from '../zapier/booking-input';
import { haltIfHandledField, LIFECYCLE_FIELDS, SETTINGS_GROUP } from '../zapier/lifecycle-settings';
import { MEETING_OUTPUT_FIELDS, MEETING_SAMPLE } from '../zapier/meeting-item';
import { step } from '../zapier/step';

export default defineCreate({
  key: 'create_meeting',
  noun: 'Meeting',
  display: {
    label: 'Create Meeting for Booking',
    description:
      'Creates the Zoom meeting for a Calendly booking, once: map only its Invitee URI and the rest is read from Calendly. Run it again for the same booking (a retry, a second Zap) and you get the same meeting back.',
  },
  operation: {
    inputFields: [INVITEE_FIELD, haltIfHandledField(true), ...LIFECYCLE_FIELDS],
    inputFieldGroups: [SETTINGS_GROUP],
    perform: step((engine, bundle) =>
      runBookingAction(engine, bundle.inputData, { canceledOnly: false, haltByDefault: true }),
    ),
    sample: MEETING_SAMPLE,
    outputFields: MEETING_OUTPUT_FIELDS,
  },
});
