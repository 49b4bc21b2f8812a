import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STEP_BUDGET_MS, stepBudgetMs } from '../../zapier/engine';
import { buildInviteeCreated } from '../support/calendly-payloads';
import nock from 'nock';
import {
  apiResources,
  App,
  calendlyApi,
  connection,
  HOST,
  inviteeUri,
  SECRET,
  tester,
  useBridge,
  useNock,
  zapierErrorOf,
  ZOOM_OAUTH,
  zoomApi,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

const createMeeting = App.creates.create_meeting.operation.perform;

/**
 * The production budget is 25 s of Zapier's 30 s; the test scales it down (the variable can only
 * shorten it) so a step that runs out of time takes seconds, not half a minute.
 */
const BUDGET_MS = 2_500;
const ZAPIER_LIMIT_MS = (BUDGET_MS * 30_000) / STEP_BUDGET_MS;

/** The Upstash bridge behind a proxy that answers every request `delayMs` late. */
async function slowUpstash(delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        fetch(`${upstash.bridge.url}${req.url ?? '/'}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        })
          .then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': 'application/json' });
            res.end(await answer.text());
          })
          .catch(() => res.destroy());
      }, delayMs);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('one time budget per step', () => {
  beforeAll(() => {
    process.env.ZAPIER_STEP_BUDGET_MS = String(BUDGET_MS);
  });
  afterAll(() => {
    delete process.env.ZAPIER_STEP_BUDGET_MS;
  });

  it('a step whose services all answer slowly ends inside the limit with a retryable error', async () => {
    const uuid = upstash.newEventUuid();
    const slow = await slowUpstash(400);
    try {
      const { invitee, scheduledEvent } = apiResources(
        buildInviteeCreated({ eventUuid: uuid, inviteeUuid: 'inv-1' }),
      );
      calendlyApi()
        .get(`/scheduled_events/${uuid}/invitees/inv-1`)
        .delay(600)
        .reply(200, { resource: invitee })
        .get(`/scheduled_events/${uuid}`)
        .delay(600)
        .reply(200, { resource: scheduledEvent });
      nock(ZOOM_OAUTH).post('/oauth/token').query(true).delay(400).reply(200, {
        access_token: SECRET.zoomAccessToken,
        token_type: 'bearer',
        expires_in: 3599,
      });
      zoomApi()
        .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
        .delay(20_000)
        .reply(201, {});
      const started = Date.now();

      const error = await zapierErrorOf(
        tester()(createMeeting, {
          authData: { ...connection(upstash.bridge), upstash_url: slow.url },
          inputData: { invitee_uri: inviteeUri(uuid) },
        }),
      );

      const elapsed = Date.now() - started;
      expect(error.name).toBe('ThrottledError');
      expect(String(error.detail.message)).toContain('Zapier runs this step again');
      expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - 300);
      expect(elapsed).toBeLessThan(ZAPIER_LIMIT_MS);
    } finally {
      await slow.close();
    }
  });

  it('can only be shortened, never lengthened past what fits in Zapier’s 30 s', () => {
    expect(stepBudgetMs({})).toBe(25_000);
    expect(stepBudgetMs({ ZAPIER_STEP_BUDGET_MS: '2500' })).toBe(2_500);
    expect(stepBudgetMs({ ZAPIER_STEP_BUDGET_MS: '60000' })).toBe(25_000);
    expect(stepBudgetMs({ ZAPIER_STEP_BUDGET_MS: 'soon' })).toBe(25_000);
  });
});
