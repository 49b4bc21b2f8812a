import { randomBytes, randomUUID } from 'node:crypto';
import nock from 'nock';
import type { CliIo } from '../../src/cli/command';
import type { Env } from '../../src/config';
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

/** A CLI run in process (`main()` as `calendly-zoom` would call it), its output captured. */
export interface CliRun {
  io: CliIo;
  stdout: string[];
  stderr: string[];
  stop: AbortController;
  /** Resolves with the first stdout log line whose message is `message`. */
  logged(message: string): Promise<Record<string, unknown>>;
  /** Every log line so far, parsed. */
  lines(): Record<string, unknown>[];
}

export function cliRun(env: Env): CliRun {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const watchers: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const stop = new AbortController();
  const parsed = (text: string): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    stdout,
    stderr,
    stop,
    io: {
      stdout: (text) => {
        stdout.push(text);
        for (const line of parsed(text)) {
          for (const w of watchers.filter((w) => w.message === line.message)) w.resolve(line);
        }
      },
      stderr: (text) => stderr.push(text),
      env,
      isTTY: false,
      now: Date.now,
      signal: stop.signal,
    },
    lines: () => parsed(stdout.join('')),
    logged(message) {
      const seen = parsed(stdout.join('')).find((line) => line.message === message);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ message, resolve }));
    },
  };
}
