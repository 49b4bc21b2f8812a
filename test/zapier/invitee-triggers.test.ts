import nock from 'nock';
import { buildInviteeCanceled, buildInviteeCreated } from '../support/calendly-payloads';
import {
  CALENDLY,
  CALENDLY_USER,
  calendlyApi,
  calendlyMe,
  connection,
  consoleLines,
  HOST,
  hookOperation,
  ORGANIZATION,
  rawRequest,
  tester,
  useNock,
  zapierErrorOf,
} from './zapier-test-kit';

useNock();

// The triggers never reach Upstash; any URL will do for the connection.
const authData = connection({ url: 'https://upstash.invalid', token: 'unused' });
const TARGET = 'https://hooks.zapier.com/hooks/standard/1/abc/';
const SUBSCRIPTION = `${CALENDLY}/webhook_subscriptions/sub-1`;
const created = hookOperation('invitee_created');
const canceled = hookOperation('invitee_canceled');
const either = hookOperation('invitee_event');

function subscriptionResource(scope: 'organization' | 'user', events: string[]) {
  return {
    resource: {
      uri: SUBSCRIPTION,
      callback_url: TARGET,
      state: 'active',
      events,
      scope,
      organization: ORGANIZATION,
      user: scope === 'user' ? CALENDLY_USER : null,
    },
  };
}

describe('performSubscribe', () => {
  it("subscribes the Zap's URL organization-wide by default, with a fresh signing key it keeps", async () => {
    let sent: Record<string, unknown> = {};
    const api = calendlyMe()
      .post('/webhook_subscriptions', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, subscriptionResource('organization', ['invitee.created']));

    const data = (await tester()(created.performSubscribe, {
      authData,
      targetUrl: TARGET,
      inputData: {},
    })) as Record<string, string>;

    expect(sent).toEqual({
      url: TARGET,
      events: ['invitee.created'],
      organization: ORGANIZATION,
      scope: 'organization',
      signing_key: expect.any(String),
    });
    expect(String(sent.signing_key).length).toBeGreaterThanOrEqual(32);
    expect(data).toEqual({
      id: 'sub-1',
      uri: SUBSCRIPTION,
      signing_secret: sent.signing_key,
      scope: 'organization',
    });
    expect(api.isDone()).toBe(true);
  });

  it('subscribes only the connected user\'s bookings when Scope is "user"', async () => {
    let sent: Record<string, unknown> = {};
    calendlyMe()
      .post('/webhook_subscriptions', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, subscriptionResource('user', ['invitee.canceled']));

    await tester()(canceled.performSubscribe, {
      authData,
      targetUrl: TARGET,
      inputData: { scope: 'user' },
    });

    expect(sent).toMatchObject({
      events: ['invitee.canceled'],
      scope: 'user',
      user: CALENDLY_USER,
      organization: ORGANIZATION,
    });
  });

  it('makes two keys for two subscriptions', async () => {
    const keys: string[] = [];
    calendlyApi()
      .get('/users/me')
      .twice()
      .reply(200, { resource: { uri: CALENDLY_USER, current_organization: ORGANIZATION } })
      .post(
        '/webhook_subscriptions',
        (body: { signing_key: string }) => keys.push(body.signing_key) > 0,
      )
      .twice()
      .reply(201, subscriptionResource('organization', ['invitee.created']));
    const run = tester();

    await run(created.performSubscribe, { authData, targetUrl: TARGET, inputData: {} });
    await run(created.performSubscribe, { authData, targetUrl: TARGET, inputData: {} });

    expect(new Set(keys).size).toBe(2);
  });

  it("replaces a subscription Calendly already has for this Zap's URL (409) whose key was lost", async () => {
    const api = calendlyMe()
      .post('/webhook_subscriptions')
      .reply(409, { title: 'Already Exists', message: 'Hook with this url already exists' })
      .get('/webhook_subscriptions')
      .query({ organization: ORGANIZATION, scope: 'organization', count: '100' })
      .reply(200, {
        collection: [subscriptionResource('organization', ['invitee.created']).resource],
        pagination: { next_page: null },
      })
      .delete('/webhook_subscriptions/sub-1')
      .reply(204)
      .post('/webhook_subscriptions')
      .reply(201, subscriptionResource('organization', ['invitee.created']));

    const data = await tester()(created.performSubscribe, {
      authData,
      targetUrl: TARGET,
      inputData: {},
    });

    expect(data).toMatchObject({ uri: SUBSCRIPTION, signing_secret: expect.any(String) });
    expect(api.isDone()).toBe(true);
  });

  it('says what to do when the existing subscription is not under this scope (409)', async () => {
    calendlyMe()
      .post('/webhook_subscriptions')
      .reply(409, { title: 'Already Exists', message: 'Hook with this url already exists' })
      .get('/webhook_subscriptions')
      .query(true)
      .reply(200, { collection: [], pagination: { next_page: null } });

    const error = await zapierErrorOf(
      tester()(created.performSubscribe, { authData, targetUrl: TARGET, inputData: {} }),
    );

    expect(error.detail).toMatchObject({ code: 'CalendlyError', status: 409 });
    expect(String(error.detail.message)).toMatch(
      /subscription of the other scope \(user\)\. Switch this trigger's Scope/,
    );
  });

  it('explains that organization-wide triggers need an admin token (403)', async () => {
    calendlyMe().post('/webhook_subscriptions').reply(403, {
      title: 'Permission Denied',
      message: 'You do not have permission to access this resource.',
    });

    const error = await zapierErrorOf(
      tester()(created.performSubscribe, { authData, targetUrl: TARGET, inputData: {} }),
    );

    expect(error.detail).toMatchObject({ code: 'CalendlyError', status: 403 });
    expect(String(error.detail.message)).toContain(
      'only organization owners and admins subscribe to everyone\'s bookings. Set this trigger\'s Scope to "Only my bookings"',
    );
  });

  it('says a paid Calendly plan is needed when Calendly says so (403)', async () => {
    calendlyMe().post('/webhook_subscriptions').reply(403, {
      title: 'Permission Denied',
      message: 'Please upgrade to a paid Calendly account.',
    });

    const error = await zapierErrorOf(
      tester()(created.performSubscribe, { authData, targetUrl: TARGET, inputData: {} }),
    );

    expect(String(error.detail.message)).toContain('Calendly needs a different plan');
  });
});

describe('performUnsubscribe', () => {
  it('deletes the subscription named in subscribeData', async () => {
    const api = calendlyApi().delete('/webhook_subscriptions/sub-1').reply(204);

    const result = await tester()(created.performUnsubscribe, {
      authData,
      subscribeData: { id: 'sub-1', uri: SUBSCRIPTION, signing_secret: 'k'.repeat(43) },
    });

    expect(result).toEqual({ id: 'sub-1', result: 'deleted' });
    expect(api.isDone()).toBe(true);
  });

  it('treats a subscription already gone (404) as removed', async () => {
    calendlyApi()
      .delete('/webhook_subscriptions/sub-1')
      .reply(404, { title: 'Resource Not Found' });

    const result = await tester()(canceled.performUnsubscribe, {
      authData,
      subscribeData: { id: 'sub-1', uri: SUBSCRIPTION },
    });

    expect(result).toEqual({ id: 'sub-1', result: 'already_gone' });
  });
});

describe('perform', () => {
  const KEY = 'test-signing-key-0123456789abcdef0123456789';
  const subscribeData = {
    id: 'sub-1',
    uri: SUBSCRIPTION,
    signing_secret: KEY,
    scope: 'organization',
  };

  it("turns a delivery signed with the Zap's key into one flat item", async () => {
    const body = buildInviteeCreated({ eventUuid: 'ev-1', inviteeUuid: 'inv-1' });

    const items = (await tester()(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(body, KEY),
    })) as Record<string, unknown>[];

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: `${CALENDLY}/scheduled_events/ev-1/invitees/inv-1#invitee.created`,
      event_kind: 'invitee.created',
      event_uri: `${CALENDLY}/scheduled_events/ev-1`,
      event_uuid: 'ev-1',
      invitee_uri: `${CALENDLY}/scheduled_events/ev-1/invitees/inv-1`,
      invitee_uuid: 'inv-1',
      start_time: '2026-03-10T14:00:00Z',
      end_time: '2026-03-10T14:30:00Z',
      duration_minutes: 30,
      event_name: '30 Minute Consultation',
      host_email: 'host@example.com',
      invitee_name: 'Jane Doe',
      invitee_email: 'jane.doe@example.com',
      invitee_timezone: 'America/New_York',
      rescheduled: false,
      questions_and_answers: 'What would you like to discuss?: Onboarding questions',
    });
    for (const value of Object.values(items[0] ?? {})) {
      expect(value === null || ['string', 'number', 'boolean'].includes(typeof value)).toBe(true);
    }
  });

  it('gives a cancellation its reason and reschedule links', async () => {
    const body = buildInviteeCanceled({
      eventUuid: 'ev-1',
      inviteeUuid: 'inv-1',
      newInvitee: { eventUuid: 'ev-2', inviteeUuid: 'inv-2' },
      cancellation: { reason: 'Moved it', cancelerType: 'invitee' },
    });

    const items = await tester()(canceled.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(body, KEY),
    });

    expect(items).toEqual([
      expect.objectContaining({
        id: `${CALENDLY}/scheduled_events/ev-1/invitees/inv-1#invitee.canceled`,
        event_kind: 'invitee.canceled',
        rescheduled: true,
        new_invitee_uri: `${CALENDLY}/scheduled_events/ev-2/invitees/inv-2`,
        cancel_reason: 'Moved it',
        canceler_type: 'invitee',
      }),
    ]);
  });

  const body = buildInviteeCreated({ eventUuid: 'ev-1' });
  const now = Math.floor(Date.now() / 1000);
  const { headers, content } = rawRequest(body, KEY);
  it.each([
    [
      'forged (signed with another key)',
      rawRequest(body, 'attacker-key-0123456789abcdef0123456789'),
    ],
    ['stale (signed 10 minutes ago)', rawRequest(body, KEY, now - 600)],
    ['from the future', rawRequest(body, KEY, now + 600)],
    [
      'unsigned',
      { method: 'POST' as const, headers: { 'Content-Type': 'application/json' }, content },
    ],
    [
      'altered after signing',
      { method: 'POST' as const, headers, content: content.replace('Jane Doe', 'Eve') },
    ],
  ])('starts no run for a delivery that is %s, and logs why', async (_case, request) => {
    const items = await tester()(created.perform, { authData, subscribeData, rawRequest: request });

    expect(items).toEqual([]);
    expect(consoleLines()).toContainEqual(
      expect.stringContaining('Calendly delivery rejected: its signature does not check out'),
    );
  });

  it('starts no run for the other event type', async () => {
    const items = await tester()(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(buildInviteeCanceled({ eventUuid: 'ev-1' }), KEY),
    });

    expect(items).toEqual([]);
  });

  it('starts no run for a signed event it does not handle (invitee_no_show.created)', async () => {
    const items = await tester()(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest({ event: 'invitee_no_show.created', payload: {} }, KEY),
    });

    expect(items).toEqual([]);
  });

  it('starts no run when the subscription has no signing key', async () => {
    const items = await tester()(created.perform, {
      authData,
      subscribeData: { id: 'sub-1' },
      rawRequest: rawRequest(body, KEY),
    });

    expect(items).toEqual([]);
  });

  it('lets the combined trigger through both kinds', async () => {
    const run = tester();
    const made = await run(either.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(buildInviteeCreated({ eventUuid: 'ev-1' }), KEY),
    });
    const gone = await run(either.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(buildInviteeCanceled({ eventUuid: 'ev-1' }), KEY),
    });

    expect(made).toEqual([expect.objectContaining({ event_kind: 'invitee.created' })]);
    expect(gone).toEqual([expect.objectContaining({ event_kind: 'invitee.canceled' })]);
  });
});

describe('performList', () => {
  function scheduledEvent(uuid: string, start: string, status = 'active') {
    return {
      uri: `${CALENDLY}/scheduled_events/${uuid}`,
      name: 'Intro',
      status,
      start_time: start,
      end_time: start.replace(':00:00', ':45:00'),
      event_memberships: [{ user_email: HOST }],
      location: { type: 'custom', location: 'Somewhere' },
    };
  }

  it('returns recent real invitees from the Calendly API, newest first, shaped like deliveries', async () => {
    const api = calendlyMe()
      .get('/scheduled_events')
      .query(
        (q) =>
          q.organization === ORGANIZATION &&
          q.status === 'active' &&
          typeof q.min_start_time === 'string',
      )
      .reply(200, {
        collection: [
          scheduledEvent('ev-old', '2026-03-01T10:00:00.000000Z'),
          scheduledEvent('ev-new', '2026-03-02T10:00:00.000000Z'),
        ],
        pagination: { next_page: null },
      })
      .get('/scheduled_events/ev-new/invitees')
      .query(true)
      .reply(200, {
        collection: [
          {
            uri: `${CALENDLY}/scheduled_events/ev-new/invitees/inv-9`,
            name: 'Sam Sample',
            email: 'sam@example.com',
            status: 'active',
            timezone: 'Europe/Paris',
            rescheduled: false,
          },
        ],
        pagination: { next_page: null },
      })
      .get('/scheduled_events/ev-old/invitees')
      .query(true)
      .reply(200, {
        collection: [
          {
            uri: `${CALENDLY}/scheduled_events/ev-old/invitees/inv-1`,
            name: 'Olive Older',
            email: 'olive@example.com',
            status: 'active',
          },
        ],
        pagination: { next_page: null },
      });

    const items = await tester()(created.performList, { authData, inputData: {} });

    expect(items).toEqual([
      expect.objectContaining({
        id: `${CALENDLY}/scheduled_events/ev-new/invitees/inv-9#invitee.created`,
        event_uuid: 'ev-new',
        start_time: '2026-03-02T10:00:00Z',
        duration_minutes: 45,
        host_email: HOST,
        invitee_name: 'Sam Sample',
        location_type: 'custom',
      }),
      expect.objectContaining({ event_uuid: 'ev-old', invitee_name: 'Olive Older' }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('explains the Scope field when Calendly refuses organization-wide listing (403)', async () => {
    calendlyMe()
      .get('/scheduled_events')
      .query(true)
      .reply(403, { title: 'Permission Denied', message: 'You do not have permission' });

    const error = await zapierErrorOf(tester()(created.performList, { authData, inputData: {} }));

    expect(String(error.detail.message)).toContain(
      'Set this trigger\'s Scope to "Only my bookings"',
    );
  });

  it('lists canceled events for the cancellation trigger, the user\'s own with Scope "user"', async () => {
    calendlyMe()
      .get('/scheduled_events')
      .query((q) => q.user === CALENDLY_USER && q.status === 'canceled')
      .reply(200, {
        collection: [scheduledEvent('ev-x', '2026-03-02T10:00:00.000000Z', 'canceled')],
        pagination: { next_page: null },
      })
      .get('/scheduled_events/ev-x/invitees')
      .query(true)
      .reply(200, {
        collection: [
          {
            uri: `${CALENDLY}/scheduled_events/ev-x/invitees/inv-1`,
            name: 'A',
            email: 'a@example.com',
            status: 'canceled',
          },
        ],
        pagination: { next_page: null },
      });

    const items = await tester()(canceled.performList, { authData, inputData: { scope: 'user' } });

    expect(items).toEqual([
      expect.objectContaining({ event_kind: 'invitee.canceled', event_uuid: 'ev-x' }),
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
