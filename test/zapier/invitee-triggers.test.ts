import { randomUUID } from 'node:crypto';
import { buildInviteeCanceled, buildInviteeCreated } from '../support/calendly-payloads';
import { deleteKeysByPrefix, rawRedis } from '../support/redis-test-env';
import {
  apiResources,
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
  useBridge,
  useNock,
  zapierErrorOf,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();
// The hook perform records each delivery it passes on in Upstash (the bridge stands for it).
let authData: ReturnType<typeof connection>;
beforeAll(() => {
  authData = connection(upstash.bridge);
});
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

    expect(error.name).toBe('HaltedError');
    expect(error.message).toMatch(
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

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain(
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

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Calendly needs a different plan');
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
  const raw = rawRedis();
  /** Each test is its own Zap: its own subscription, so its deliveries are its own to dedupe. */
  let subscribeData: { id: string; uri: string; signing_secret: string; scope: string };
  beforeEach(() => {
    const id = `sub-test-${randomUUID()}`;
    subscribeData = {
      id,
      uri: `${CALENDLY}/webhook_subscriptions/${id}`,
      signing_secret: KEY,
      scope: 'organization',
    };
  });
  afterEach(async () => {
    await deleteKeysByPrefix(raw, `cz:delivered:${subscribeData.id}`);
  });
  afterAll(async () => {
    await raw.quit();
  });

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

  it('still triggers for a delivery Zapier held for an hour before running it', async () => {
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;

    const items = await tester()(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(buildInviteeCreated({ eventUuid: 'ev-1' }), KEY, anHourAgo),
    });

    expect(items).toEqual([expect.objectContaining({ event_uuid: 'ev-1' })]);
  });

  it('starts no second run for a redelivery of the same event (Calendly retries, replays)', async () => {
    const body = buildInviteeCreated({ eventUuid: 'ev-1' });
    const run = tester();

    const first = await run(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(body, KEY),
    });
    // Calendly signs every attempt anew: a retry is the same event under a new signature.
    const retry = await run(created.perform, {
      authData,
      subscribeData,
      rawRequest: rawRequest(body, KEY, Math.floor(Date.now() / 1000) + 1),
    });

    expect(first).toHaveLength(1);
    expect(retry).toEqual([]);
  });

  it('passes the same event to a second Zap once as well', async () => {
    const body = buildInviteeCreated({ eventUuid: 'ev-1' });
    const otherZap = { ...subscribeData, id: `${subscribeData.id}-other` };
    const run = tester();
    try {
      await run(created.perform, { authData, subscribeData, rawRequest: rawRequest(body, KEY) });

      const items = await run(created.perform, {
        authData,
        subscribeData: otherZap,
        rawRequest: rawRequest(body, KEY),
      });

      expect(items).toHaveLength(1);
    } finally {
      await deleteKeysByPrefix(raw, `cz:delivered:${otherZap.id}`);
    }
  });

  it('passes a delivery on when Upstash cannot say whether it is a repeat: a lost booking is worse', async () => {
    upstash.bridge.setDown(true, 'status');
    try {
      const items = await tester()(created.perform, {
        authData,
        subscribeData,
        rawRequest: rawRequest(buildInviteeCreated({ eventUuid: 'ev-1' }), KEY),
      });

      expect(items).toHaveLength(1);
      expect(consoleLines()).toContainEqual(
        expect.stringContaining('could not check for a repeated delivery; passing it on'),
      );
    } finally {
      upstash.bridge.setDown(false);
    }
  });

  const body = buildInviteeCreated({ eventUuid: 'ev-1' });
  const now = Math.floor(Date.now() / 1000);
  const { headers, content } = rawRequest(body, KEY);
  it.each([
    [
      'forged (signed with another key)',
      rawRequest(body, 'attacker-key-0123456789abcdef0123456789'),
      "whose signature does not match this Zap's signing key",
    ],
    [
      'signed more than 12 hours ago',
      rawRequest(body, KEY, now - 13 * 3600),
      'signed more than 12 hours ago',
    ],
    ['from the future', rawRequest(body, KEY, now + 13 * 3600), 'in the future'],
    [
      'unsigned',
      { method: 'POST' as const, headers: { 'Content-Type': 'application/json' }, content },
      "without Calendly's signature header",
    ],
    [
      'altered after signing',
      { method: 'POST' as const, headers, content: content.replace('Jane Doe', 'Eve') },
      "whose signature does not match this Zap's signing key",
    ],
  ])(
    'stops the run as Halted, saying why, for a delivery that is %s',
    async (_case, request, why) => {
      const error = await zapierErrorOf(
        tester()(created.perform, { authData, subscribeData, rawRequest: request }),
      );

      expect(error.name).toBe('HaltedError');
      expect(error.message).toContain(why);
      expect(error.message).toContain('Nothing was done with it.');
    },
  );

  it('stops the run as Halted when Zapier hands it no raw delivery', async () => {
    const error = await zapierErrorOf(tester()(created.perform, { authData, subscribeData }));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Zapier handed this run no raw Calendly delivery');
  });

  it('stops the run as Halted, with the fix, when the Zap has no signing key', async () => {
    const error = await zapierErrorOf(
      tester()(created.perform, {
        authData,
        subscribeData: { id: subscribeData.id },
        rawRequest: rawRequest(body, KEY),
      }),
    );

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Turn the Zap off and on again');
  });

  it('stops the run as Halted for a signed body that is not an invitee event', async () => {
    const error = await zapierErrorOf(
      tester()(created.perform, {
        authData,
        subscribeData,
        rawRequest: rawRequest({ event: 'invitee.created', payload: { uri: 'x' } }, KEY),
      }),
    );

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain("signed with this Zap's key is not a Calendly invitee event");
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

describe("performList (the editor's test)", () => {
  /** A Get Event resource; its invitees come from a webhook body's payload, as the API has them. */
  function apiEvent(uuid: string, start: string, status = 'active') {
    const build = status === 'canceled' ? buildInviteeCanceled : buildInviteeCreated;
    return apiResources(
      build({ eventUuid: uuid, start, location: { type: 'custom', location: 'Somewhere' } }),
    ).scheduledEvent;
  }
  function apiInvitee(eventUuid: string, inviteeUuid: string, name: string, status = 'active') {
    const build = status === 'canceled' ? buildInviteeCanceled : buildInviteeCreated;
    return apiResources(
      build({ eventUuid, inviteeUuid, invitee: { name, timezone: 'Europe/Paris' } }),
    ).invitee;
  }

  it('asks Calendly for one page of a few recent bookings, newest first, shaped like deliveries', async () => {
    const api = calendlyMe()
      .get('/scheduled_events')
      .query({ organization: ORGANIZATION, status: 'active', count: '3', sort: 'start_time:desc' })
      .reply(200, {
        collection: [
          apiEvent('ev-new', '2026-03-02T10:00:00.000000Z'),
          apiEvent('ev-old', '2026-03-01T10:00:00.000000Z'),
        ],
        // There are more, but a test needs no more than one page.
        pagination: { next_page: `${CALENDLY}/scheduled_events?page_token=p2` },
      })
      .get('/scheduled_events/ev-new/invitees')
      .query({ count: '3', sort: 'created_at:desc', status: 'active' })
      .reply(200, { collection: [apiInvitee('ev-new', 'inv-9', 'Sam Sample')], pagination: {} })
      .get('/scheduled_events/ev-old/invitees')
      .query({ count: '3', sort: 'created_at:desc', status: 'active' })
      .reply(200, { collection: [apiInvitee('ev-old', 'inv-1', 'Olive Older')], pagination: {} });

    const items = await tester()(created.performList, { authData, inputData: {} });

    expect(items).toEqual([
      expect.objectContaining({
        id: `${CALENDLY}/scheduled_events/ev-new/invitees/inv-9#invitee.created`,
        event_uuid: 'ev-new',
        start_time: '2026-03-02T10:00:00Z',
        duration_minutes: 30,
        host_email: HOST,
        invitee_name: 'Sam Sample',
        invitee_timezone: 'Europe/Paris',
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

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Set this trigger\'s Scope to "Only my bookings"');
  });

  it('lists canceled bookings for the cancellation trigger, the user\'s own with Scope "user"', async () => {
    const api = calendlyMe()
      .get('/scheduled_events')
      .query({ user: CALENDLY_USER, status: 'canceled', count: '3', sort: 'start_time:desc' })
      .reply(200, {
        collection: [apiEvent('ev-x', '2026-03-02T10:00:00.000000Z', 'canceled')],
        pagination: {},
      })
      .get('/scheduled_events/ev-x/invitees')
      .query({ count: '3', sort: 'created_at:desc', status: 'canceled' })
      .reply(200, { collection: [apiInvitee('ev-x', 'inv-1', 'A', 'canceled')], pagination: {} });

    const items = await tester()(canceled.performList, { authData, inputData: { scope: 'user' } });

    expect(items).toEqual([
      expect.objectContaining({ event_kind: 'invitee.canceled', event_uuid: 'ev-x' }),
    ]);
    expect(api.isDone()).toBe(true);
  });

  it('shows at most three bookings, as the editor does', async () => {
    calendlyMe()
      .get('/scheduled_events')
      .query(true)
      .reply(200, {
        collection: [1, 2, 3].map((n) => apiEvent(`ev-${n}`, `2026-03-0${n}T10:00:00.000000Z`)),
        pagination: {},
      })
      .get(/\/scheduled_events\/ev-\d\/invitees/)
      .query(true)
      .times(3)
      .reply(200, (uri) => {
        const eventUuid = uri.split('/')[2] ?? '';
        return {
          collection: ['a', 'b', 'c'].map((x) => apiInvitee(eventUuid, `inv-${x}`, x)),
          pagination: {},
        };
      });

    const items = await tester()(either.performList, { authData, inputData: {} });

    expect(items).toHaveLength(3);
  });
});
