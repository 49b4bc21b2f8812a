import { randomBytes, randomUUID } from 'node:crypto';
import nock from 'nock';
import { createJsonLogger, type Logger } from '../../src/log';
import type { FakeZoomServer } from '../support/fake-zoom-server';

/** Nothing leaves the machine: every suite talks to fakes on loopback only. */
export function keepNetworkLocal(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  afterAll(() => {
    nock.enableNetConnect();
    // Its interceptor patches node:http itself, which later test files in this worker share.
    nock.restore();
  });
}

export const SIGNING_KEY = `e2e-signing-key-${randomBytes(8).toString('hex')}`;

/** A fresh booking per test, so suites sharing one Redis never meet. */
export function newBooking(): { eventUuid: string; inviteeUuid: string } {
  return { eventUuid: randomUUID(), inviteeUuid: randomUUID() };
}

/** Zoom back-off without the wait: retries happen, the clock of the test does not move. */
export const noSleep = async (): Promise<void> => undefined;

export interface LogCapture {
  log: Logger;
  /** Every line exactly as written. */
  lines: string[];
  records(): Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  return {
    log: createJsonLogger((line) => lines.push(line)),
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Every secret a receiver run could leak, as substrings: the signing key, Zoom credentials and
 * access tokens, meeting start URLs (their `zak=` token), and authorization headers.
 */
export function secretsOf(zoom: FakeZoomServer, extra: readonly string[] = []): string[] {
  return [
    SIGNING_KEY,
    zoom.credentials.clientSecret,
    ...zoom.issuedTokens,
    'zak=',
    'fake-zak-',
    '/s/',
    'start_url',
    'startUrl',
    'Bearer ',
    'Basic ',
    ...extra,
  ];
}

export function leakedSecrets(texts: readonly string[], secrets: readonly string[]): string[] {
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}
