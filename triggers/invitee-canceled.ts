import { defineTrigger } from 'zapier-platform-core';
import {
  listRecentInvitees,
  readInviteeDelivery,
  SCOPE_FIELD,
  subscribeInviteeHook,
  unsubscribeInviteeHook,
} from '../zapier/invitee-hook';
import { INVITEE_OUTPUT_FIELDS, inviteeSample } from '../zapier/invitee-item';

const KINDS = ['invitee.canceled'] as const;

export default defineTrigger({
  key: 'invitee_canceled',
  noun: 'Invitee',
  display: {
    label: 'Invitee Canceled',
    description:
      'Triggers when a Calendly booking is canceled, including the old half of a reschedule (Rescheduled is true and New Invitee URI names the new booking).',
  },
  operation: {
    type: 'hook',
    inputFields: [SCOPE_FIELD],
    performSubscribe: subscribeInviteeHook(KINDS),
    performUnsubscribe: unsubscribeInviteeHook(),
    perform: readInviteeDelivery(KINDS),
    performList: listRecentInvitees(KINDS),
    sample: inviteeSample('invitee.canceled'),
    outputFields: INVITEE_OUTPUT_FIELDS,
  },
});
