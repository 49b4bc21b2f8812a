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
