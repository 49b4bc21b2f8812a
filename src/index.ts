// The library's public API. Everything a Zapier step, the CLI or the receiver needs from the
// engine is exported here and nowhere else.
export { CalendlyZoomError, ConfigError } from './errors';
export {
  WebhookVerificationError,
  InvalidPayloadError,
  UnsupportedEventError,
  type WebhookVerificationReason,
} from './calendly/errors';
export {
  verifyCalendlySignature,
  signCalendlyPayload,
  CALENDLY_SIGNATURE_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  type VerifyCalendlySignatureInput,
  type HeaderBag,
} from './calendly/signature';
export {
  parseInviteeEvent,
  type InviteeEvent,
  type InviteeEventKind,
} from './calendly/invitee-event';

export {
  loadConfig,
  DEFAULT_STORE_PATH,
  type AppConfig,
  type ConfigNeeds,
  type Env,
  type StoreConfig,
} from './config';
export { createJsonLogger, silentLogger, type Logger, type LogFields } from './log';

export {
  createFetchHttpClient,
  HttpTransportError,
  normaliseHeaders,
  getHeader,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from './http';
export {
  ZoomApiError,
  ZoomAuthError,
  ZoomDeadlineError,
  ZoomRateLimitError,
  ZoomNetworkError,
} from './zoom/errors';
export type {
  ZoomMeetings,
  ZoomMeeting,
  ZoomUser,
  CreateMeetingParams,
  MeetingPatch,
  ZoomMeetingSettings,
  DeleteMeetingResult,
} from './zoom/types';
export {
  createZoomTokenProvider,
  zoomTokenCacheKey,
  DEFAULT_ZOOM_OAUTH_URL,
  TOKEN_REFRESH_MARGIN_MS,
  type ZoomCredentials,
  type ZoomAccessToken,
  type ZoomTokenProvider,
  type ZoomTokenProviderOptions,
} from './zoom/token';
export {
  createMemoryTokenCache,
  type TokenCache,
  type CachedToken,
  type MemoryTokenCacheOptions,
} from './zoom/token-cache';
export {
  createZoomClient,
  DEFAULT_ZOOM_API_URL,
  type ZoomClient,
  type ZoomClientOptions,
  type ZoomLogger,
} from './zoom/client';
export { DEFAULT_MEETING_SETTINGS } from './zoom/mapping';

export type {
  BookingRecord,
  BookingStatus,
  StoredMeeting,
  InviteeState,
} from './store/booking-record';
export type * from './store/booking-store';
export { StoreError, StoreBusyError, StoreOpenError } from './store/errors';
export {
  NOTIFICATION_TYPES,
  channelsFor,
  type Notice,
  type NoticeType,
  type NotificationType,
  type InviteeNoticeType,
  type NotificationOutbox,
  type OutboxItem,
  type OutboxStatus,
  type DeliveryResult,
  type BookingContext,
  type Attention,
  type AttentionReason,
} from './store/outbox';
export {
  createUpstashBookingStore,
  type UpstashBookingStoreOptions,
  type UpstashConnection,
} from './store/upstash';
export { MemoryBookingStore } from './store/memory';
export { SqliteBookingStore, type SqliteStoreOptions } from './store/sqlite';
export {
  handleInviteeEvent,
  meetingMarker,
  HostResolutionError,
  DEFAULT_LIFECYCLE_CONFIG,
  type LifecycleConfig,
  type LifecycleDeps,
} from './lifecycle';
export type { LifecycleOutcome, OutcomeType } from './lifecycle-outcome';
export {
  runMaintenance,
  DEFAULT_PENDING_MOVE_TIMEOUT_MS,
  type MaintenanceDeps,
  type MaintenanceOptions,
  type MaintenanceReport,
} from './maintenance';

export {
  MakeSimulator,
  MakeDataStores,
  MakeUnsupportedError,
  MakeModuleError,
  DEFAULT_INTERPRETATION,
  type MakeSimulatorOptions,
  type MakeDelivery,
  type MakeDeliveryOptions,
  type MakeDeliveryResult,
  type ModuleSelector,
  type MakeRunRecord,
  type IncompleteExecution,
  type MakeInterpretation,
  type MakeErrorType,
} from './make/simulator';
