import { defineTrigger } from 'zapier-platform-core';
import { DROPDOWN_PAGE_SIZE, pageOf } from '../zapier/page-cursor';
import { step } from '../zapier/step';

/** Feeds the host dropdowns, a page at a time; hidden, so it never starts a Zap. */
export default defineTrigger({
  key: 'zoom_user_list',
  noun: 'Zoom User',
  display: {
    hidden: true,
    label: 'Zoom Users',
    description:
      'Triggers when a user is added to the Zoom account (lists active users for dropdowns).',
  },
  operation: {
    type: 'polling',
    canPaginate: true,
    perform: step(async (engine, bundle) => {
      const users = await pageOf(engine.cursor, bundle.meta?.page ?? 0, (pageToken) =>
        engine.zoom.listUsersPage({
          pageSize: DROPDOWN_PAGE_SIZE,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      return users.map((user) => ({
        id: user.id,
        email: user.email,
        // What the dropdown shows: a name a person recognises, the email when there is none.
        name: user.displayName ? `${user.displayName} (${user.email})` : user.email,
        status: user.status,
      }));
    }),
    sample: {
      id: 'KDcuGIm1QgePTO8WbOqwIQ',
      email: 'host@example.com',
      name: 'Harriet Host (host@example.com)',
      status: 'active',
    },
    outputFields: [
      { key: 'id', label: 'Zoom User ID' },
      { key: 'email', label: 'Email' },
      { key: 'name', label: 'Name (and email)' },
      { key: 'status', label: 'Status' },
    ],
  },
});
