import { defineSearch } from 'zapier-platform-core';
import { unlessGone } from '../zapier/meeting-facts';
import { requiredText } from '../zapier/input';
import { step } from '../zapier/step';

const EMAIL = {
  key: 'email',
  label: 'Email',
  required: true,
  helpText: 'The email of a user of your Zoom account, e.g. the Host Email of a Calendly booking.',
};

export default defineSearch({
  key: 'find_user',
  noun: 'Zoom User',
  display: {
    label: 'Find Zoom User',
    description:
      'Finds a user of your Zoom account by email: use it to check that a Calendly host can host Zoom meetings.',
  },
  operation: {
    inputFields: [EMAIL],
    perform: step(async (engine, bundle) => {
      const email = requiredText(bundle.inputData, EMAIL.key, EMAIL.label);
      const user = await unlessGone(engine.zoom.getUser(email));
      // 404 / 1001: no such user in this account; a search finds nothing rather than failing.
      if (user === null) return [];
      return [
        {
          id: user.id,
          email: user.email,
          name: user.displayName ?? null,
          status: user.status,
          account_id: user.accountId,
        },
      ];
    }),
    sample: {
      id: 'KDcuGIm1QgePTO8WbOqwIQ',
      email: 'host@example.com',
      name: 'Harriet Host',
      status: 'active',
      account_id: 'Wk9PTV9BQ0NPVU5UX0lE',
    },
    outputFields: [
      { key: 'id', label: 'Zoom User ID' },
      { key: 'email', label: 'Email' },
      { key: 'name', label: 'Name' },
      { key: 'status', label: 'Status (active, inactive, pending)' },
      { key: 'account_id', label: 'Zoom Account ID' },
    ],
  },
});
