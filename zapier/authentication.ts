import type { Bundle, ZObject } from 'zapier-platform-core';
import { CalendlyApiError } from '../src/calendly/client';
import { ConfigError } from '../src/errors';
import { AUTH_FIELDS } from './auth-fields';
import { buildEngine, type ZapierEngine } from './engine';
import { connectionTestError } from './errors';

export interface ConnectionTestResult {
  calendly_user_name: string;
  calendly_user_email: string;
  calendly_organization: string;
  zoom_account_id: string;
}

/**
 * Checks all three services at once, so one test names every one that is wrong: Calendly by
 * reading the token's user, Zoom by getting a token, Upstash by a PING. A connection value that is
 * missing or malformed is named before any service is called.
 */
const test = async (z: ZObject, bundle: Bundle): Promise<ConnectionTestResult> => {
  let engine: ZapierEngine;
  try {
    engine = buildEngine(z, bundle);
  } catch (error) {
    throw error instanceof ConfigError ? connectionTestError(error.problems) : error;
  }
  const [calendly, zoom, upstash] = await Promise.allSettled([
    engine.calendly.getCurrentUser(),
    engine.zoomTokens.getToken(),
    engine.store().ping(),
  ]);
  const problems = [
    calendly.status === 'rejected' ? `Calendly: ${calendlyProblem(calendly.reason)}` : null,
    zoom.status === 'rejected' ? `Zoom: ${messageOf(zoom.reason)}` : null,
    upstash.status === 'rejected' ? `Upstash: ${upstashProblem(upstash.reason)}` : null,
  ].filter((problem): problem is string => problem !== null);
  if (calendly.status === 'rejected' || problems.length > 0) throw connectionTestError(problems);
  return {
    calendly_user_name: calendly.value.name,
    calendly_user_email: calendly.value.email,
    calendly_organization: calendly.value.organization,
    zoom_account_id: engine.zoomAccountId,
  };
};

function calendlyProblem(error: unknown): string {
  if (error instanceof CalendlyApiError && error.status === 401) {
    return 'the Personal Access Token was refused. Generate a new one (Calendly → Integrations & Apps → API & Webhooks) and paste it again.';
  }
  return messageOf(error);
}

function upstashProblem(error: unknown): string {
  const detail = messageOf(error);
  return `could not use the database with this REST URL and token (${detail}). Copy both again from console.upstash.com → your database → REST API.`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const authentication = {
  // Custom, not session: every credential is a long-lived key. Session auth would also turn
  // any 401 into a connection refresh, while Zoom's expired-token 401 is the Zoom client's to
  // handle (it fetches a new token and retries once).
  type: 'custom' as const,
  fields: AUTH_FIELDS,
  test,
  // Zapier hands the label the test's result as inputData.
  connectionLabel: async (
    _z: ZObject,
    bundle: Bundle<Partial<ConnectionTestResult>>,
  ): Promise<string> =>
    `${bundle.inputData.calendly_user_name ?? 'Calendly'} (${bundle.inputData.calendly_user_email ?? '?'}) · Zoom account ${bundle.inputData.zoom_account_id ?? '?'}`,
};
