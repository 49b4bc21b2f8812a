import { defineApp, version as platformVersion } from 'zapier-platform-core';
import packageJson from './package.json';

// The Zapier app: declarations only. Triggers, creates and searches arrive with the Zapier issue;
// every piece of logic lives in src/.
const app = defineApp({
  version: packageJson.version,
  platformVersion,
  triggers: {},
  creates: {},
  searches: {},
});

// Zapier loads the app with require(): it must be module.exports itself, not a default export.
export = app;
