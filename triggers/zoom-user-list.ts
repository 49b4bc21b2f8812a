import { defineTrigger } from 'zapier-platform-core';
import { step } from '../zapier/step';

/** Feeds the host dropdowns; hidden, so it never starts a Zap. */
export default defineTrigger({
  key: 'zoom_user_list',
  noun: 'Zoom User',
  display: { hidden: true, label: 'Zoom Users', description: 'Active users of the Zoom account.' },
  operation: {
    type: 'polling',
    perform: step(async (engine) => {
      const users = await engine.zoom.listUsers();
      return users.map((user) => ({ id: user.id, email: user.email, status: user.status }));
    }),
    outputFields: [
      { key: 'id', label: 'Zoom User ID' },
      { key: 'email', label: 'Email' },
      { key: 'status', label: 'Status' },
    ],
  },
});
