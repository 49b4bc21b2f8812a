/**
 * The connection's fields: one Zapier connection holds all three services, because every booking
 * step needs Calendly's identity of the booking, Zoom to act on it and Upstash to remember the
 * mapping between the two. Keys are the `bundle.authData` names. Help texts are Markdown: each
 * links to the page where the value is found.
 */
export const AUTH_FIELD = {
  calendlyToken: 'calendly_token',
  zoomAccountId: 'zoom_account_id',
  zoomClientId: 'zoom_client_id',
  zoomClientSecret: 'zoom_client_secret',
  upstashUrl: 'upstash_url',
  upstashToken: 'upstash_token',
} as const;

const CALENDLY_TOKENS =
  '[Calendly → Integrations & Apps → API & Webhooks](https://calendly.com/integrations/api_webhooks)';
const ZOOM_APPS =
  '[Zoom App Marketplace → Manage → your Server-to-Server OAuth app → App Credentials](https://marketplace.zoom.us/user/build)';
const ZOOM_GUIDE =
  "[Zoom's Server-to-Server OAuth guide](https://developers.zoom.us/docs/internal-apps/create/)";
const UPSTASH_CONSOLE =
  '[Upstash console → your Redis database → REST API](https://console.upstash.com/redis)';

export const AUTH_FIELDS = [
  {
    key: AUTH_FIELD.calendlyToken,
    label: 'Calendly Personal Access Token',
    type: 'password' as const,
    required: true,
    helpText: `Generate one under ${CALENDLY_TOKENS} → Personal Access Tokens. Organization-wide triggers need the token of an organization owner or admin.`,
  },
  {
    key: AUTH_FIELD.zoomAccountId,
    label: 'Zoom Account ID',
    type: 'string' as const,
    required: true,
    helpText: `From your Zoom Server-to-Server OAuth app: ${ZOOM_APPS}. New to these apps? See ${ZOOM_GUIDE}.`,
  },
  {
    key: AUTH_FIELD.zoomClientId,
    label: 'Zoom Client ID',
    type: 'string' as const,
    required: true,
    helpText: `Same page as the Account ID: ${ZOOM_APPS}.`,
  },
  {
    key: AUTH_FIELD.zoomClientSecret,
    label: 'Zoom Client Secret',
    type: 'password' as const,
    required: true,
    helpText: `Same page as the Account ID (${ZOOM_APPS}); reconnect after regenerating it. The app needs the scopes to create, read, update and delete meetings, list a user's meetings and read users (e.g. meeting:write:meeting:admin, user:read:user:admin).`,
  },
  {
    key: AUTH_FIELD.upstashUrl,
    label: 'Upstash Redis REST URL',
    type: 'string' as const,
    required: true,
    placeholder: 'https://your-db.upstash.io',
    helpText: `Where the booking ↔ meeting mapping is kept, so a booking never gets two meetings and a cancellation finds its meeting. ${UPSTASH_CONSOLE} → UPSTASH_REDIS_REST_URL. It must start with https://: the token travels with every request.`,
  },
  {
    key: AUTH_FIELD.upstashToken,
    label: 'Upstash Redis REST Token',
    type: 'password' as const,
    required: true,
    helpText: `Same page as the URL (${UPSTASH_CONSOLE}): UPSTASH_REDIS_REST_TOKEN, not the read-only token, since the steps write the mapping.`,
  },
];
