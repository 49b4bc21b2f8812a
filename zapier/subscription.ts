import {
  CalendlyApiError,
  type CalendlyClient,
  type CreateSubscriptionInput,
  type WebhookSubscription,
} from '../src/calendly/client';

/** What performSubscribe returns; Zapier hands it back to perform and performUnsubscribe. */
export interface InviteeSubscribeData {
  id: string;
  uri: string;
  /**
   * The subscription's signing key; the only copy, as Calendly never shows it again. Named
   * `…secret` so Zapier's scrubber, which goes by key names, censors it wherever it logs bundles.
   */
  signing_secret: string;
  scope: 'organization' | 'user';
}

export function subscribeDataOf(value: unknown): Partial<InviteeSubscribeData> {
  if (typeof value !== 'object' || value === null) return {};
  const { id, uri, signing_secret: signingKey } = value as Record<string, unknown>;
  return {
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof uri === 'string' ? { uri } : {}),
    ...(typeof signingKey === 'string' && signingKey !== '' ? { signing_secret: signingKey } : {}),
  };
}

/**
 * Creates the subscription. A 409 means Calendly already posts to this Zap's URL, from an earlier
 * attempt whose answer (and signing key) never reached Zapier: that subscription is this Zap's
 * own, so it is replaced. The URL belongs to no other Zap.
 */
export async function createOrReplaceSubscription(
  calendly: CalendlyClient,
  input: CreateSubscriptionInput,
): Promise<WebhookSubscription> {
  try {
    return await calendly.createWebhookSubscription(input);
  } catch (error) {
    if (!(error instanceof CalendlyApiError)) throw error;
    if (error.status === 403) throw scopeRefusal(error, input.scope);
    if (error.status !== 409) throw error;
  }
  const existing = (
    await calendly.listWebhookSubscriptions({
      organization: input.organization,
      scope: input.scope,
      ...(input.user === undefined ? {} : { user: input.user }),
    })
  ).find((subscription) => subscription.callbackUrl === input.url);
  if (existing === undefined) {
    throw new CalendlyApiError(
      409,
      'Already Exists',
      `Calendly already sends events to this Zap's URL through a subscription of the other scope (${
        input.scope === 'organization' ? 'user' : 'organization'
      }). Switch this trigger's Scope to match, or delete that webhook subscription in Calendly, then turn the Zap on again.`,
    );
  }
  await calendly.deleteWebhookSubscription(existing.uri);
  return calendly.createWebhookSubscription(input);
}

/** Calendly's 403 in Zapier's terms: the Scope field, or a token with more rights. */
export function scopeRefusal(
  error: CalendlyApiError,
  scope: 'organization' | 'user',
): CalendlyApiError {
  // The client already words the paid-plan refusal; only the permission one needs Zapier terms.
  if (/plan/i.test(error.message)) return error;
  const message =
    scope === 'organization'
      ? "Calendly lets only organization owners and admins subscribe to everyone's bookings. Set this trigger's Scope to \"Only my bookings\", or reconnect with an admin's personal access token."
      : 'Calendly refused to subscribe to your bookings with this token. Reconnect with a personal access token of a member of the organization.';
  return new CalendlyApiError(403, error.title, message, { cause: error });
}
