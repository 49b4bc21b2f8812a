import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import {
  CalendlyApiError,
  createCalendlyClient,
  type CalendlyClient,
} from '../../../src/calendly/client';
import { createFetchHttpClient } from '../../../src/http';
import usersMe from '../../fixtures/calendly/users-me.response.json';
import subscriptionRequest from '../../fixtures/calendly/webhook-subscription.create.request.json';
import subscriptionResponse from '../../fixtures/calendly/webhook-subscription.create.response.json';
import subscriptionErrors from '../../fixtures/calendly/webhook-subscription.errors.json';

const API = 'https://api.calendly.com';
const TOKEN = 'calendly-personal-access-token-DO-NOT-LEAK';
const ORG = usersMe.resource.current_organization;
const USER = usersMe.resource.uri;
const EVENT_UUID = '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2';
const EVENT_URI = `${API}/scheduled_events/${EVENT_UUID}`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function client(apiUrl?: string): CalendlyClient {
  return createCalendlyClient({ http: createFetchHttpClient(), token: TOKEN, apiUrl });
}

/** Calendly, answering only requests that carry the token. */
function calendly(origin = API): nock.Scope {
  return nock(origin).matchHeader('authorization', `Bearer ${TOKEN}`);
}

async function rejection(promise: Promise<unknown>): Promise<CalendlyApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CalendlyApiError) return error;
    throw error;
  }
  throw new Error('expected a CalendlyApiError, but the call succeeded');
}

/** A loopback port nothing listens on: the connection is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function page(collection: object[], nextPage: string | null) {
  return { collection, pagination: { count: collection.length, next_page: nextPage } };
}

function subscription(uuid: string, overrides: Record<string, unknown> = {}) {
  return {
    ...subscriptionResponse.resource,
    uri: `${API}/webhook_subscriptions/${uuid}`,
    ...overrides,
  };
}

describe('getCurrentUser', () => {
  it('reads users/me with the bearer token and returns the user and organisation', async () => {
    const scope = calendly()
      .get('/users/me')
      .matchHeader('accept', 'application/json')
      .reply(200, usersMe);

    await expect(client().getCurrentUser()).resolves.toEqual({
      uri: USER,
      name: 'Harriet Host',
      email: 'host@example.com',
      organization: ORG,
      timezone: 'America/New_York',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('fails when the answer names no organisation, since every later call needs it', async () => {
    const withoutOrg: Record<string, unknown> = { ...usersMe.resource };
    delete withoutOrg['current_organization'];
    calendly().get('/users/me').reply(200, { resource: withoutOrg });

    const error = await rejection(client().getCurrentUser());

    expect(error.message).toMatch(/no current_organization/);
  });

  it('uses the configured API URL, without a trailing slash doubling', async () => {
    const scope = calendly('http://127.0.0.1:4010').get('/users/me').reply(200, usersMe);

    await client('http://127.0.0.1:4010/').getCurrentUser();

    expect(scope.isDone()).toBe(true);
  });
});

describe('createWebhookSubscription', () => {
  it('posts the documented request body and returns the subscription', async () => {
    const scope = calendly()
      .post('/webhook_subscriptions', subscriptionRequest)
      .matchHeader('content-type', 'application/json')
      .reply(201, subscriptionResponse);

    const created = await client().createWebhookSubscription({
      url: subscriptionRequest.url,
      events: ['invitee.created', 'invitee.canceled'],
      organization: subscriptionRequest.organization,
      scope: 'user',
      user: subscriptionRequest.user,
      signingKey: subscriptionRequest.signing_key,
    });

    expect(created).toEqual({
      uri: subscriptionResponse.resource.uri,
      uuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      callbackUrl: 'https://app.example.com/webhooks/calendly',
      state: 'active',
      events: ['invitee.created', 'invitee.canceled'],
      scope: 'user',
      organization: ORG,
      user: USER,
      createdAt: '2026-03-01T10:00:00.123456Z',
      retryStartedAt: null,
    });
    expect(scope.isDone()).toBe(true);
  });

  it('sends no user for an organisation-scope subscription', async () => {
    const orgRequest: Record<string, unknown> = { ...subscriptionRequest };
    delete orgRequest['user'];
    const scope = calendly()
      .post('/webhook_subscriptions', { ...orgRequest, scope: 'organization' })
      .reply(201, { resource: subscription('org-sub', { scope: 'organization', user: null }) });

    const created = await client().createWebhookSubscription({
      url: subscriptionRequest.url,
      events: ['invitee.created', 'invitee.canceled'],
      organization: ORG,
      scope: 'organization',
      signingKey: subscriptionRequest.signing_key,
    });

    expect(created.scope).toBe('organization');
    expect(scope.isDone()).toBe(true);
  });
});

describe('listWebhookSubscriptions', () => {
  it('sends organisation, scope and user, and follows next_page to the last page', async () => {
    const scope = calendly()
      .get('/webhook_subscriptions')
      .query({ organization: ORG, scope: 'user', user: USER, count: '100' })
      .reply(
        200,
        page(
          [subscription('sub-1')],
          `${API}/webhook_subscriptions?count=100&organization=o&page_token=p2`,
        ),
      )
      .get('/webhook_subscriptions')
      .query({ count: '100', organization: 'o', page_token: 'p2' })
      .reply(200, page([subscription('sub-2', { state: 'disabled' })], null));

    const listed = await client().listWebhookSubscriptions({
      organization: ORG,
      scope: 'user',
      user: USER,
    });

    expect(listed.map((s) => [s.uuid, s.state])).toEqual([
      ['sub-1', 'active'],
      ['sub-2', 'disabled'],
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('asks for the next page on the configured API URL, never on a host named in the answer', async () => {
    const fake = 'http://127.0.0.1:4010';
    const scope = calendly(fake)
      .get('/webhook_subscriptions')
      .query(true)
      .reply(
        200,
        page(
          [subscription('sub-1')],
          'https://elsewhere.example/webhook_subscriptions?page_token=p2',
        ),
      )
      .get('/webhook_subscriptions')
      .query({ page_token: 'p2' })
      .reply(200, page([subscription('sub-2')], null));

    const listed = await client(fake).listWebhookSubscriptions({
      organization: ORG,
      scope: 'organization',
    });

    expect(listed).toHaveLength(2);
    expect(scope.isDone()).toBe(true);
  });

  it('fails instead of looping when Calendly returns the same next page twice', async () => {
    const next = `${API}/webhook_subscriptions?page_token=again`;
    calendly()
      .get('/webhook_subscriptions')
      .query(true)
      .times(3)
      .reply(200, page([subscription('sub-1')], next));

    const error = await rejection(
      client().listWebhookSubscriptions({ organization: ORG, scope: 'organization' }),
    );

    expect(error.message).toMatch(/same next page twice/);
  });
});

describe('deleteWebhookSubscription', () => {
  it('deletes by UUID', async () => {
    const scope = calendly().delete('/webhook_subscriptions/sub-1').reply(204);

    await expect(client().deleteWebhookSubscription('sub-1')).resolves.toBe('deleted');
    expect(scope.isDone()).toBe(true);
  });

  it('deletes by URI through the configured API URL', async () => {
    const fake = 'http://127.0.0.1:4010';
    const scope = calendly(fake).delete('/webhook_subscriptions/sub-1').reply(204);

    await expect(
      client(fake).deleteWebhookSubscription(`${API}/webhook_subscriptions/sub-1`),
    ).resolves.toBe('deleted');
    expect(scope.isDone()).toBe(true);
  });

  it('counts a subscription that is already gone (404) as done', async () => {
    calendly().delete('/webhook_subscriptions/sub-1').reply(404, {
      title: 'Resource Not Found',
      message: 'The server could not find the requested resource.',
    });

    await expect(client().deleteWebhookSubscription('sub-1')).resolves.toBe('already_gone');
  });

  it('throws on any other failure', async () => {
    calendly()
      .delete('/webhook_subscriptions/sub-1')
      .reply(403, subscriptionErrors['403_not_admin']);

    const error = await rejection(client().deleteWebhookSubscription('sub-1'));

    expect(error.status).toBe(403);
  });
});

describe('listScheduledEvents', () => {
  const apiEvent = {
    uri: EVENT_URI,
    name: '30 Minute Consultation',
    status: 'active',
    start_time: '2026-03-10T14:00:00.000000Z',
    end_time: '2026-03-10T14:30:00.000000Z',
    location: { type: 'custom', location: 'Room 42' },
    event_memberships: [{ user: USER, user_email: 'host@example.com' }, { user: 'x' }],
  };

  it('sends the window and filters, follows every page, and maps each event', async () => {
    const scope = calendly()
      .get('/scheduled_events')
      .query({
        count: '100',
        sort: 'start_time:asc',
        organization: ORG,
        min_start_time: '2026-03-01T00:00:00.000Z',
        max_start_time: '2026-04-01T00:00:00.000Z',
        status: 'canceled',
      })
      .reply(200, page([apiEvent], `${API}/scheduled_events?page_token=p2`))
      .get('/scheduled_events')
      .query({ page_token: 'p2' })
      .reply(
        200,
        page([{ ...apiEvent, uri: `${API}/scheduled_events/ev-2`, location: null }], null),
      );

    const events = await client().listScheduledEvents({
      organization: ORG,
      minStartTime: '2026-03-01T00:00:00.000Z',
      maxStartTime: '2026-04-01T00:00:00.000Z',
      status: 'canceled',
    });

    expect(events).toEqual([
      {
        uri: EVENT_URI,
        uuid: EVENT_UUID,
        name: '30 Minute Consultation',
        status: 'active',
        startTime: '2026-03-10T14:00:00.000000Z',
        endTime: '2026-03-10T14:30:00.000000Z',
        hostEmails: ['host@example.com'],
        locationJoinUrl: null,
        locationType: 'custom',
      },
      expect.objectContaining({ uuid: 'ev-2', locationType: null, locationJoinUrl: null }),
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it("lists one user's events with the user parameter", async () => {
    const scope = calendly()
      .get('/scheduled_events')
      .query({ count: '100', sort: 'start_time:asc', user: USER })
      .reply(200, page([], null));

    await expect(client().listScheduledEvents({ user: USER })).resolves.toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('listEventInvitees', () => {
  it("reads every page of an event's invitees by the event's URI", async () => {
    const invitee = {
      uri: `${EVENT_URI}/invitees/inv-1`,
      name: 'Jane Doe',
      email: 'jane.doe@example.com',
      status: 'canceled',
      timezone: 'America/New_York',
      rescheduled: true,
      old_invitee: null,
      new_invitee: `${API}/scheduled_events/ev-2/invitees/inv-2`,
      created_at: '2026-03-02T15:04:05.123456Z',
    };
    const scope = calendly()
      .get(`/scheduled_events/${EVENT_UUID}/invitees`)
      .query({ count: '100' })
      .reply(200, page([invitee], `${API}/scheduled_events/${EVENT_UUID}/invitees?page_token=p2`))
      .get(`/scheduled_events/${EVENT_UUID}/invitees`)
      .query({ page_token: 'p2' })
      .reply(
        200,
        page([{ ...invitee, uri: `${EVENT_URI}/invitees/inv-3`, status: 'active' }], null),
      );

    const invitees = await client().listEventInvitees(EVENT_URI);

    expect(invitees[0]).toEqual({
      uri: `${EVENT_URI}/invitees/inv-1`,
      name: 'Jane Doe',
      email: 'jane.doe@example.com',
      status: 'canceled',
      timezone: 'America/New_York',
      rescheduled: true,
      oldInvitee: null,
      newInvitee: `${API}/scheduled_events/ev-2/invitees/inv-2`,
      createdAt: '2026-03-02T15:04:05.123456Z',
    });
    expect(invitees.map((i) => i.status)).toEqual(['canceled', 'active']);
    expect(scope.isDone()).toBe(true);
  });

  it('asks the configured API URL even when the event URI names production Calendly', async () => {
    const fake = 'http://127.0.0.1:4010';
    const scope = calendly(fake)
      .get(`/scheduled_events/${EVENT_UUID}/invitees`)
      .query(true)
      .reply(200, page([], null));

    await client(fake).listEventInvitees(EVENT_URI);

    expect(scope.isDone()).toBe(true);
  });
});

describe('recentScheduledEvents and recentEventInvitees (one page, newest first)', () => {
  it('asks for one page of the latest-starting events and never follows next_page', async () => {
    const scope = calendly()
      .get('/scheduled_events')
      .query({ count: '3', sort: 'start_time:desc', organization: ORG, status: 'active' })
      .reply(200, page([{ uri: EVENT_URI }], `${API}/scheduled_events?page_token=p2`));

    const events = await client().recentScheduledEvents({
      organization: ORG,
      status: 'active',
      count: 3,
    });

    expect(events).toEqual([{ uri: EVENT_URI }]);
    expect(scope.isDone()).toBe(true);
  });

  it("lists one user's events with the user parameter", async () => {
    const scope = calendly()
      .get('/scheduled_events')
      .query({ count: '5', sort: 'start_time:desc', user: USER })
      .reply(200, page([], null));

    await client().recentScheduledEvents({ user: USER, count: 5 });

    expect(scope.isDone()).toBe(true);
  });

  it("asks for one page of an event's most recently booked invitees", async () => {
    const scope = calendly()
      .get(`/scheduled_events/${EVENT_UUID}/invitees`)
      .query({ count: '3', sort: 'created_at:desc', status: 'canceled' })
      .reply(200, page([{ uri: `${EVENT_URI}/invitees/inv-1` }], 'more'));

    const invitees = await client().recentEventInvitees(EVENT_UUID, {
      status: 'canceled',
      count: 3,
    });

    expect(invitees).toEqual([{ uri: `${EVENT_URI}/invitees/inv-1` }]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('getInvitee and getScheduledEvent', () => {
  it('read the resources by UUID on the configured API URL', async () => {
    const scope = calendly()
      .get(`/scheduled_events/${EVENT_UUID}/invitees/inv-1`)
      .reply(200, { resource: { uri: `${EVENT_URI}/invitees/inv-1` } })
      .get(`/scheduled_events/${EVENT_UUID}`)
      .reply(200, { resource: { uri: EVENT_URI } });

    await expect(client().getInvitee(EVENT_UUID, 'inv-1')).resolves.toEqual({
      uri: `${EVENT_URI}/invitees/inv-1`,
    });
    await expect(client().getScheduledEvent(EVENT_UUID)).resolves.toEqual({ uri: EVENT_URI });
    expect(scope.isDone()).toBe(true);
  });

  it('says what to check when Calendly has no such invitee (404)', async () => {
    calendly().get(`/scheduled_events/${EVENT_UUID}/invitees/nope`).reply(404, {
      title: 'Resource Not Found',
      message: 'The server could not find the requested resource.',
    });

    const error = await rejection(client().getInvitee(EVENT_UUID, 'nope'));

    expect(error.status).toBe(404);
    expect(error.message).toContain(
      'Calendly has no such resource (HTTP 404) while trying to read the invitee',
    );
  });

  it('fails on an answer without a resource rather than returning nothing', async () => {
    calendly().get(`/scheduled_events/${EVENT_UUID}`).reply(200, {});

    const error = await rejection(client().getScheduledEvent(EVENT_UUID));

    expect(error.message).toContain('has no resource');
  });
});

describe('errors', () => {
  it.each([
    [
      401,
      { title: 'Unauthenticated', message: 'The access token is invalid' },
      /check CALENDLY_TOKEN/,
      false,
    ],
    [403, subscriptionErrors['403_not_admin'], /owner or admin.*--scope user/, false],
    [403, subscriptionErrors['403_plan_after_2026_11_03'], /needs a different plan/, false],
    [409, subscriptionErrors['409_already_exists'], /already exists.*webhooks list/, false],
    [
      429,
      { title: 'Too Many Requests', message: 'Rate limited' },
      /rate-limited.*try again in a minute/,
      true,
    ],
    [
      500,
      { title: 'Internal Server Error', message: 'Oops' },
      /Calendly failed \(HTTP 500\).*try again later/,
      true,
    ],
    [503, 'Service Unavailable', /Calendly failed \(HTTP 503\)/, true],
  ])('HTTP %i becomes an actionable CalendlyApiError', async (status, body, message, transient) => {
    calendly().post('/webhook_subscriptions').reply(status, body);

    const error = await rejection(
      client().createWebhookSubscription({
        url: 'https://app.example.com/webhooks/calendly',
        events: ['invitee.created'],
        organization: ORG,
        scope: 'organization',
        signingKey: 'signing-key-DO-NOT-LEAK',
      }),
    );

    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
    expect(error.transient).toBe(transient);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('signing-key-DO-NOT-LEAK');
  });

  it("quotes Calendly's words, and the parameters a 400 names", async () => {
    calendly()
      .get('/scheduled_events')
      .query(true)
      .reply(400, {
        title: 'Invalid Argument',
        message: 'The supplied parameters are invalid.',
        details: [{ parameter: 'min_start_time', message: 'is not a valid timestamp' }],
      });

    const error = await rejection(client().listScheduledEvents({ user: USER }));

    expect(error.title).toBe('Invalid Argument');
    expect(error.message).toBe(
      'Calendly rejected the request to list scheduled events (HTTP 400). Calendly said: "The supplied parameters are invalid." (min_start_time: is not a valid timestamp)',
    );
  });

  it('a request that gets no answer is transient (status 0) and says why', async () => {
    const unreachable = client(`http://127.0.0.1:${await closedPort()}`);
    nock.enableNetConnect(/127\.0\.0\.1/);
    try {
      const error = await rejection(unreachable.getCurrentUser());

      expect(error.status).toBe(0);
      expect(error.transient).toBe(true);
      expect(error.message).toMatch(
        /^Could not reach Calendly to read the current user .*ECONNREFUSED/,
      );
      expect(error.message).not.toContain(TOKEN);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('a 2xx answer that is not JSON is an error, not an empty result', async () => {
    calendly().get('/users/me').reply(200, '<html>proxy</html>');

    const error = await rejection(client().getCurrentUser());

    expect(error.message).toMatch(/non-JSON answer/);
  });
});
