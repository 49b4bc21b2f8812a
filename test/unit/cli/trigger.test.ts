import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { parseInviteeEvent } from '../../../src/calendly/invitee-event';
import { buildSampleEvent } from '../../../src/calendly/sample-events';
import { verifyCalendlySignature } from '../../../src/calendly/signature';
import { NOW, SIGNING_KEY, runCli } from './cli-test-kit';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A receiver on 127.0.0.1 that records each request and answers as told. */
class TestReceiver {
  readonly received: Received[] = [];
  answer: { status: number; body: string } = { status: 200, body: '{"outcome":"created"}' };
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(this.answer.status, { 'content-type': 'application/json' });
        res.end(this.answer.body);
      });
    });
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/webhooks/calendly`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server?.close(() => done()));
  }

  last(): Received {
    const last = this.received[this.received.length - 1];
    if (!last) throw new Error('the receiver got no request');
    return last;
  }
}

const receiver = new TestReceiver();
const ENV = { CALENDLY_SIGNING_KEY: SIGNING_KEY };

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  nock.enableNetConnect();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.answer = { status: 200, body: '{"outcome":"created"}' };
});

function verify(received: Received, keys: string | string[] = SIGNING_KEY) {
  return verifyCalendlySignature({
    rawBody: received.body,
    header: received.headers['calendly-webhook-signature'] as string,
    signingKeys: keys,
    now: NOW,
  });
}

describe('trigger', () => {
  it('sends an invitee.created sample with a signature the verifier accepts', async () => {
    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    expect(run.code).toBe(0);
    const received = receiver.last();
    expect(verify(received)).toEqual({ timestamp: NOW / 1000 });
    expect(received.headers['content-type']).toBe('application/json');
  });

  it('sends a real v2 booking with a custom location, starting tomorrow, so a meeting gets made', async () => {
    await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    const event = parseInviteeEvent(receiver.last().body);
    expect(event).toMatchObject({
      kind: 'invitee.created',
      format: 'v2',
      location: { type: 'custom', joinUrl: null },
      durationMinutes: 30,
      startTime: '2026-11-27T20:00:00Z',
    });
  });

  it('names URIs under CALENDLY_API_URL, which the receiver it targets checks them against', async () => {
    const apiUrl = 'http://127.0.0.1:4010/calendly';
    await runCli(['trigger', 'invitee.created', '--url', receiver.url], {
      env: { ...ENV, CALENDLY_API_URL: apiUrl },
    });

    const event = parseInviteeEvent(receiver.last().body, { calendlyApiUrl: apiUrl });
    expect(event.eventUri.startsWith(`${apiUrl}/scheduled_events/`)).toBe(true);
  });

  it('uses fresh random UUIDs on every run', async () => {
    await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });
    await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    const [a, b] = receiver.received.map((r) => parseInviteeEvent(r.body));
    expect(a?.eventUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a?.eventUuid).not.toBe(b?.eventUuid);
    expect(a?.inviteeUuid).not.toBe(b?.inviteeUuid);
  });

  it('prints the status and the answer, and how to cancel the booking it made', async () => {
    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    const { eventUuid, inviteeUuid } = parseInviteeEvent(receiver.last().body);
    expect(run.stdout).toContain(
      `Sent invitee.created (event ${eventUuid}, invitee ${inviteeUuid}) to ${receiver.url}: HTTP 200`,
    );
    expect(run.stdout).toMatch(/"outcome": "created"/);
    expect(run.stdout).toContain(
      `calendly-zoom trigger invitee.canceled --url ${receiver.url} --event-uuid ${eventUuid} --invitee-uuid ${inviteeUuid}`,
    );
  });

  it('cancels the same booking with --event-uuid and --invitee-uuid', async () => {
    const run = await runCli(
      [
        'trigger',
        'invitee.canceled',
        '--url',
        receiver.url,
        '--event-uuid',
        'ev-sample',
        '--invitee-uuid',
        'inv-sample',
      ],
      { env: ENV },
    );

    expect(run.code).toBe(0);
    expect(parseInviteeEvent(receiver.last().body)).toMatchObject({
      kind: 'invitee.canceled',
      eventUuid: 'ev-sample',
      inviteeUri: 'https://api.calendly.com/scheduled_events/ev-sample/invitees/inv-sample',
      rescheduled: false,
    });
  });

  it("sends a file's exact bytes, signed as they are", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-'));
    try {
      const bytes = Buffer.from(
        `${JSON.stringify(buildSampleEvent({ kind: 'invitee.created', now: NOW, hostEmail: 'h@example.com' }).body, null, 4)}\n\n`,
      );
      const file = join(dir, 'payload.json');
      writeFileSync(file, bytes);

      const run = await runCli(['trigger', '--url', receiver.url, '--from-file', file], {
        env: ENV,
      });

      expect(run.code).toBe(0);
      expect(receiver.last().body.equals(bytes)).toBe(true);
      expect(verify(receiver.last())).toEqual({ timestamp: NOW / 1000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs with --signing-key when given, else with the first key of CALENDLY_SIGNING_KEY', async () => {
    await runCli(
      ['trigger', 'invitee.created', '--url', receiver.url, '--signing-key', 'k-given'],
      {
        env: ENV,
      },
    );
    await runCli(['trigger', 'invitee.created', '--url', receiver.url], {
      env: { CALENDLY_SIGNING_KEY: 'k-first, k-second' },
    });

    const [given, first] = receiver.received;
    expect(given && verify(given, 'k-given')).toBeTruthy();
    expect(first && verify(first, 'k-first')).toBeTruthy();
    expect(() => first && verify(first, 'k-second')).toThrow(/does not match/);
  });

  it('exits 1 on a non-2xx answer and says what the status usually means', async () => {
    receiver.answer = { status: 401, body: '{"error":"signature_mismatch"}' };

    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/HTTP 401/);
    expect(run.stderr).toMatch(/answered HTTP 401: the signature was refused.*same signing key/);
  });

  it('never prints a start_url the receiver echoes back', async () => {
    receiver.answer = {
      status: 200,
      body: JSON.stringify({
        outcome: 'created',
        meeting: {
          id: '85746065432',
          startUrl: 'https://us05web.zoom.us/s/85746065432?zak=SECRET',
        },
      }),
    };

    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: ENV });

    expect(run.stdout).not.toContain('zak=SECRET');
    expect(run.stdout).toMatch(/"startUrl": "\[redacted\]"/);
  });

  it('--json prints event, ids, status and the answer', async () => {
    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url, '--json'], {
      env: ENV,
    });

    const { eventUuid, inviteeUuid } = parseInviteeEvent(receiver.last().body);
    expect(JSON.parse(run.stdout)).toEqual({
      event: 'invitee.created',
      url: receiver.url,
      eventUuid,
      inviteeUuid,
      status: 200,
      ok: true,
      body: { outcome: 'created' },
    });
  });

  it('exits 1 with a clear sentence when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));

    const run = await runCli(['trigger', 'invitee.created', '--url', `http://127.0.0.1:${port}/`], {
      env: ENV,
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Could not deliver the event to .*ECONNREFUSED/);
  });

  it('without a signing key says which variable to set, and exits 1', async () => {
    const run = await runCli(['trigger', 'invitee.created', '--url', receiver.url], { env: {} });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^CALENDLY_SIGNING_KEY is not set/);
    expect(receiver.received).toHaveLength(0);
  });

  it.each([
    [['--url', 'http://127.0.0.1:1/'], /Name the event to send/],
    [['invitee.rescheduled', '--url', 'http://127.0.0.1:1/'], /not an event trigger sends/],
    [['invitee.created'], /needs --url/],
    [['invitee.created', '--url', 'ftp://example.com/'], /must be an http\(s\) URL/],
    [['invitee.canceled', '--url', 'http://127.0.0.1:1/', '--event-uuid', 'a b'], /not a UUID/],
    [
      ['--url', 'http://127.0.0.1:1/', '--from-file', 'x.json', '--event-uuid', 'e'],
      /sent as it is/,
    ],
    [['--url', 'http://127.0.0.1:1/', '--from-file', '/no/such/file.json'], /cannot read/],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(['trigger', ...args], { env: ENV });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
