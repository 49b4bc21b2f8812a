import { defineApp, version as platformVersion } from 'zapier-platform-core';
import cancelMeeting from './creates/cancel-meeting';
import createMeeting from './creates/create-meeting';
import deleteMeeting from './creates/delete-meeting';
import syncBooking from './creates/sync-booking';
import updateMeeting from './creates/update-meeting';
import packageJson from './package.json';
import findMeeting from './searches/find-meeting';
import findUser from './searches/find-user';
import inviteeCanceled from './triggers/invitee-canceled';
import inviteeCreated from './triggers/invitee-created';
import inviteeEvent from './triggers/invitee-event';
import zoomMeetingList from './triggers/zoom-meeting-list';
import zoomUserList from './triggers/zoom-user-list';
import { authentication } from './zapier/authentication';

// The Zapier app: declarations only; each step's logic is in its own file and the engine in src/.
const app = defineApp({
  version: packageJson.version,
  platformVersion,
  authentication,
  flags: {
    // Zapier would otherwise log every HTTP call made outside z.request with its bodies: the
    // Upstash calls carry Zoom start URLs, which its scrubber does not recognise.
    skipHttpPatch: true,
  },
  triggers: {
    [inviteeCreated.key]: inviteeCreated,
    [inviteeCanceled.key]: inviteeCanceled,
    [inviteeEvent.key]: inviteeEvent,
    [zoomUserList.key]: zoomUserList,
    [zoomMeetingList.key]: zoomMeetingList,
  },
  creates: {
    [createMeeting.key]: createMeeting,
    [cancelMeeting.key]: cancelMeeting,
    [syncBooking.key]: syncBooking,
    [updateMeeting.key]: updateMeeting,
    [deleteMeeting.key]: deleteMeeting,
  },
  searches: {
    [findMeeting.key]: findMeeting,
    [findUser.key]: findUser,
  },
  searchOrCreates: {
    [findMeeting.key]: {
      key: findMeeting.key,
      display: {
        label: 'Find or Create Meeting for Booking',
        description: "Finds the booking's Zoom meeting, or makes it if there is none yet.",
      },
      search: findMeeting.key,
      create: createMeeting.key,
    },
  },
});

// Zapier loads the app with require(): it must be module.exports itself, not a default export.
export = app;
