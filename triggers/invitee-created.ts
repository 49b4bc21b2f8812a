import { defineTrigger } from 'zapier-platform-core';
import {
  listRecentInvitees,
  readInviteeDelivery,
  SCOPE_FIELD,
  subscribeInviteeHook,
  unsubscribeInviteeHook,
} from '../zapier/invitee-hook';
import { INVITEE_OUTPUT_FIELDS, inviteeSample } from '../zapier/invitee-item';

const KINDS = ['invitee.created'] as const;

export default defineTrigger({
  key: 'invitee_created',
  noun: 'Invitee',
  display: {
    label: 'Invitee Created',
    description:
      'Triggers when someone books a Calendly event. Each booking starts one run, even when Calendly delivers it twice.',
  },
  operation: {
    type: 'hook',
    inputFields: [SCOPE_FIELD],
    performSubscribe: subscribeInviteeHook(KINDS),
    performUnsubscribe: unsubscribeInviteeHook(),
    perform: readInviteeDelivery(KINDS),
    performList: listRecentInvitees(KINDS),
    sample: inviteeSample('invitee.created'),
    outputFields: INVITEE_OUTPUT_FIELDS,
  },
});
