import { defineTrigger } from 'zapier-platform-core';
import {
  listRecentInvitees,
  readInviteeDelivery,
  SCOPE_FIELD,
  subscribeInviteeHook,
  unsubscribeInviteeHook,
} from '../zapier/invitee-hook';
import { INVITEE_OUTPUT_FIELDS, inviteeSample } from '../zapier/invitee-item';

const KINDS = ['invitee.created', 'invitee.canceled'] as const;

/** Both kinds in one trigger: what the one-Zap setup (→ Sync Booking) starts from. */
export default defineTrigger({
  key: 'invitee_event',
  noun: 'Invitee',
  display: {
    label: 'Invitee Created or Canceled',
    description:
      'Triggers when a Calendly booking is made or canceled. Pair it with Sync Booking to keep Zoom in step with Calendly in a single Zap.',
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
