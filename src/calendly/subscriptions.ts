import {
  CalendlyApiError,
  type CalendlyClient,
  type CalendlyUser,
  type WebhookSubscription,
} from './client';

/**
 * Subscriptions in one or both scopes. With `all`, organisation-scope subscriptions a non-admin
 * token may not see become a warning instead of a failure: the user-scope ones still count.
 */
export async function listSubscriptions(
  calendly: CalendlyClient,
  user: CalendlyUser,
  scope: 'organization' | 'user' | 'all',
): Promise<{ subscriptions: WebhookSubscription[]; warnings: string[] }> {
  const warnings: string[] = [];
  const found: WebhookSubscription[] = [];
  if (scope !== 'user') {
    try {
      found.push(
        ...(await calendly.listWebhookSubscriptions({
          organization: user.organization,
          scope: 'organization',
        })),
      );
    } catch (error) {
      if (!(scope === 'all' && error instanceof CalendlyApiError && error.status === 403)) {
        throw error;
      }
      warnings.push(
        'Organisation-scope subscriptions are hidden from this token (it needs an organisation owner or admin); only user-scope ones are listed.',
      );
    }
  }
  if (scope !== 'organization') {
    found.push(
      ...(await calendly.listWebhookSubscriptions({
        organization: user.organization,
        scope: 'user',
        user: user.uri,
      })),
    );
  }
  // One subscription can come back in both listings.
  const unique = [...new Map(found.map((s) => [s.uri || s.uuid, s])).values()];
  return { subscriptions: unique, warnings };
}

/** What is wrong with a subscription, with the fix: Calendly stops delivering silently. */
export function subscriptionWarnings(s: WebhookSubscription): string[] {
  if (s.state === 'disabled') {
    return [
      `Subscription ${s.uuid} (${s.callbackUrl}) is disabled: Calendly stops after 24 h of failed ` +
        `deliveries and never resumes. Make the URL answer 2xx again, then resubscribe: ` +
        `\`calendly-zoom webhooks unsubscribe ${s.uuid}\` and \`calendly-zoom webhooks subscribe --url ${s.callbackUrl}\` ` +
        `(a new signing key), then \`calendly-zoom reconcile --apply\` for the bookings missed meanwhile.`,
    ];
  }
  if (s.retryStartedAt) {
    return [
      `Subscription ${s.uuid} (${s.callbackUrl}) has been failing since ${s.retryStartedAt}: Calendly ` +
        `disables it 24 h after that. Check that the URL answers 2xx (e.g. with \`calendly-zoom trigger\`).`,
    ];
  }
  return [];
}
