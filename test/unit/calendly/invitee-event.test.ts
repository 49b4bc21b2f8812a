import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidPayloadError, UnsupportedEventError } from '../../../src/calendly/errors';
import { parseInviteeEvent, type InviteeEvent } from '../../../src/calendly/invitee-event';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  inviteeUri,
  locations,
  scheduledEventUri,
} from '../../support/calendly-payloads';

const FIXTURES = join(__dirname, '../../fixtures/calendly');
const rawFixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(rawFixture(name));

const EVENT_UUID = '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2';
const INVITEE_UUID = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const NEW_EVENT_UUID = 'b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e';
const NEW_INVITEE_UUID = 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9';
const API = 'https://api.calendly.com';

const CREATED: InviteeEvent = {
  kind: 'invitee.created',
  eventUri: `${API}/scheduled_events/${EVENT_UUID}`,
  eventUuid: EVENT_UUID,
  inviteeUri: `${API}/scheduled_events/${EVENT_UUID}/invitees/${INVITEE_UUID}`,
  inviteeUuid: INVITEE_UUID,
  eventName: '30 Minute Consultation',
  eventTypeUri: `${API}/event_types/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d`,
  startTime: '2026-03-10T14:00:00Z',
  endTime: '2026-03-10T14:30:00Z',
  durationMinutes: 30,
  hostEmail: 'host@example.com',
  hostEmails: ['host@example.com'],
  invitee: { name: 'Jane Doe', email: 'jane.doe@example.com', timezone: 'America/New_York' },
  rescheduled: false,
  oldInviteeUri: null,
  newInviteeUri: null,
  location: {
    type: 'zoom',
    status: 'pushed',
    joinUrl: 'https://us02web.zoom.us/j/83594658585?pwd=dUk5ZEpoWEE1Ni8zZ0NTcW42Z0w3dz09',
  },
  seats: { active: 1, total: 1, limit: 1 },
  cancellation: null,
  questionsAndAnswers: [
    { question: 'What would you like to discuss?', answer: 'Onboarding questions' },
    { question: 'Phone number', answer: '+1 404-555-1234' },
  ],
  cancelUrl: `https://calendly.com/cancellations/${INVITEE_UUID}`,
  rescheduleUrl: `https://calendly.com/reschedulings/${INVITEE_UUID}`,
  deliveredAt: '2026-03-02T15:04:06.000000Z',
  format: 'v2',
};

/** The error a parse throws; fails the test when it parses or throws something else. */
function parseError(input: unknown): InvalidPayloadError {
  try {
    parseInviteeEvent(input);
  } catch (error) {
    if (error instanceof InvalidPayloadError) return error;
    throw error;
  }
  throw new Error('expected the payload to be rejected, but it parsed');
}

type Mutation = (body: Record<string, unknown>) => void;

/** A fresh invitee.created body from the builder, changed by `mutate` (which may break it). */
function createdWith(mutate: Mutation): unknown {
  const body = JSON.parse(JSON.stringify(buildInviteeCreated())) as Record<string, unknown>;
  mutate(body);
  return body;
}

/** The object at a dotted path, for mutations; throws if the path does not lead to an object. */
function at(body: Record<string, unknown>, path: string): Record<string, unknown> {
  let node: unknown = body;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) throw new Error(`no object at ${path}`);
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`no object at ${path}`);
  return node as Record<string, unknown>;
}

describe('parseInviteeEvent', () => {
  describe('the reference payloads', () => {
    it('parses invitee.created.json', () => {
      expect(parseInviteeEvent(fixture('invitee.created.json'))).toEqual(CREATED);
    });

    it('parses invitee.canceled.json, with the cancellation', () => {
      expect(parseInviteeEvent(fixture('invitee.canceled.json'))).toEqual({
        ...CREATED,
        kind: 'invitee.canceled',
        seats: { active: 0, total: 1, limit: 1 },
        cancellation: {
          canceledBy: 'Jane Doe',
          reason: 'Conflict came up',
          cancelerType: 'invitee',
        },
        deliveredAt: '2026-03-04T09:12:45.000000Z',
      });
    });

    it('parses invitee.created.rescheduled.json, linked to the old invitee', () => {
      expect(parseInviteeEvent(fixture('invitee.created.rescheduled.json'))).toEqual({
        ...CREATED,
        eventUri: `${API}/scheduled_events/${NEW_EVENT_UUID}`,
        eventUuid: NEW_EVENT_UUID,
        inviteeUri: `${API}/scheduled_events/${NEW_EVENT_UUID}/invitees/${NEW_INVITEE_UUID}`,
        inviteeUuid: NEW_INVITEE_UUID,
        startTime: '2026-03-12T16:00:00Z',
        endTime: '2026-03-12T16:30:00Z',
        rescheduled: false,
        oldInviteeUri: CREATED.inviteeUri,
        location: {
          type: 'zoom',
          status: 'pushed',
          joinUrl: 'https://us02web.zoom.us/j/84412345678?pwd=dUk5ZEpoWEE1Ni8zZ0NTcW42Z0w3dz09',
        },
        cancelUrl: `https://calendly.com/cancellations/${NEW_INVITEE_UUID}`,
        rescheduleUrl: `https://calendly.com/reschedulings/${NEW_INVITEE_UUID}`,
        deliveredAt: '2026-03-05T11:20:32.000000Z',
      });
    });

    it('parses invitee.canceled.rescheduled.json as rescheduled, linked to the new invitee', () => {
      expect(parseInviteeEvent(fixture('invitee.canceled.rescheduled.json'))).toEqual({
        ...CREATED,
        kind: 'invitee.canceled',
        rescheduled: true,
        newInviteeUri: `${API}/scheduled_events/${NEW_EVENT_UUID}/invitees/${NEW_INVITEE_UUID}`,
        seats: { active: 0, total: 1, limit: 1 },
        cancellation: { canceledBy: 'Jane Doe', reason: null, cancelerType: 'invitee' },
        deliveredAt: '2026-03-05T11:20:32.000000Z',
      });
    });

    it('parses the legacy v1 shape of the implementation guide, rebuilding the URIs', () => {
      expect(parseInviteeEvent(fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json'))).toEqual({
        kind: 'invitee.created',
        eventUri: `${API}/scheduled_events/BBBBBBBBBBBBBBBB`,
        eventUuid: 'BBBBBBBBBBBBBBBB',
        inviteeUri: `${API}/scheduled_events/BBBBBBBBBBBBBBBB/invitees/AAAAAAAAAAAAAAAA`,
        inviteeUuid: 'AAAAAAAAAAAAAAAA',
        eventName: 'Event Type Name',
        eventTypeUri: null,
        startTime: '2018-03-14T12:00:00Z',
        endTime: '2018-03-14T12:15:00Z',
        durationMinutes: 15,
        hostEmail: 'user@example.com',
        hostEmails: ['user@example.com'],
        invitee: {
          name: 'Joe Sample Data',
          email: 'not.a.real.email@example.com',
          timezone: 'UTC',
        },
        rescheduled: false,
        oldInviteeUri: null,
        newInviteeUri: null,
        location: { type: 'custom', status: null, joinUrl: null },
        seats: { active: null, total: null, limit: null },
        cancellation: null,
        questionsAndAnswers: [{ question: 'Skype ID', answer: 'fake_skype_id' }],
        cancelUrl: null,
        rescheduleUrl: null,
        deliveredAt: '2018-03-14T19:16:01Z',
        format: 'legacy-v1',
      } satisfies InviteeEvent);
    });

    it('parses the raw JSON text as sent', () => {
      expect(parseInviteeEvent(rawFixture('invitee.created.json'))).toEqual(CREATED);
    });

    it('parses a Buffer of the raw JSON', () => {
      expect(parseInviteeEvent(Buffer.from(rawFixture('invitee.created.json')))).toEqual(CREATED);
    });
  });

  describe('bookings made with the test builder', () => {
    it('reads the ids, times and host it was given', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({
          eventUuid: 'ev-1',
          inviteeUuid: 'inv-1',
          start: '2026-05-01T09:00:00.000000Z',
          durationMinutes: 45,
          hostEmail: 'alex@example.com',
          invitee: { name: 'Sam Lee', email: 'sam@example.com', timezone: 'Europe/Paris' },
        }),
      );
      expect(event).toMatchObject({
        eventUri: scheduledEventUri('ev-1'),
        eventUuid: 'ev-1',
        inviteeUri: inviteeUri('ev-1', 'inv-1'),
        inviteeUuid: 'inv-1',
        startTime: '2026-05-01T09:00:00Z',
        endTime: '2026-05-01T09:45:00Z',
        durationMinutes: 45,
        hostEmail: 'alex@example.com',
        invitee: { name: 'Sam Lee', email: 'sam@example.com', timezone: 'Europe/Paris' },
      });
    });

    it.each([
      ['a custom location', locations.custom(), { type: 'custom', status: null, joinUrl: null }],
      [
        'a physical location',
        locations.physical(),
        { type: 'physical', status: null, joinUrl: null },
      ],
      ['no location', null, { type: null, status: null, joinUrl: null }],
      [
        'a Zoom location without a join_url yet',
        locations.zoomWithoutJoinUrl(),
        { type: 'zoom', status: 'initiated', joinUrl: null },
      ],
      [
        "Calendly's own Zoom meeting",
        locations.nativeZoom('98765432101'),
        {
          type: 'zoom',
          status: 'pushed',
          joinUrl: 'https://us02web.zoom.us/j/98765432101?pwd=dUk5ZEpoWEE1Ni8zZ0NTcW42Z0w3dz09',
        },
      ],
    ])('reads %s', (_label, location, expected) => {
      expect(parseInviteeEvent(buildInviteeCreated({ location })).location).toEqual(expected);
    });

    it('reads the seats of a group event from invitees_counter', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({ seats: { active: 3, total: 4, limit: 10 } }),
      );
      expect(event.seats).toEqual({ active: 3, total: 4, limit: 10 });
    });

    it('links a rescheduled booking to the invitee it replaces', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({
          eventUuid: 'ev-new',
          oldInvitee: { eventUuid: 'ev-old', inviteeUuid: 'inv-old' },
        }),
      );
      expect(event).toMatchObject({
        kind: 'invitee.created',
        rescheduled: false,
        oldInviteeUri: inviteeUri('ev-old', 'inv-old'),
        newInviteeUri: null,
      });
    });

    it('links a rescheduling cancellation to the invitee that replaces it', () => {
      const event = parseInviteeEvent(
        buildInviteeCanceled({
          eventUuid: 'ev-old',
          newInvitee: { eventUuid: 'ev-new', inviteeUuid: 'inv-new' },
        }),
      );
      expect(event).toMatchObject({
        kind: 'invitee.canceled',
        rescheduled: true,
        oldInviteeUri: null,
        newInviteeUri: inviteeUri('ev-new', 'inv-new'),
        seats: { active: 0, total: 1, limit: 1 },
      });
    });

    it('reads who cancelled and why', () => {
      const event = parseInviteeEvent(
        buildInviteeCanceled({
          cancellation: { canceledBy: 'Harriet Host', reason: 'Out sick', cancelerType: 'host' },
        }),
      );
      expect(event.cancellation).toEqual({
        canceledBy: 'Harriet Host',
        reason: 'Out sick',
        cancelerType: 'host',
      });
    });
  });

  describe('normalisation', () => {
    it('keeps 16-character legacy ids opaque', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({ eventUuid: 'GBGBDCAADAEDCRZ2', inviteeUuid: 'EAHCDAHBBCCFYPT2' }),
      );
      expect(event).toMatchObject({
        eventUuid: 'GBGBDCAADAEDCRZ2',
        eventUri: `${API}/scheduled_events/GBGBDCAADAEDCRZ2`,
        inviteeUuid: 'EAHCDAHBBCCFYPT2',
        inviteeUri: `${API}/scheduled_events/GBGBDCAADAEDCRZ2/invitees/EAHCDAHBBCCFYPT2`,
      });
    });

    it('keeps several hosts in their order, the first as hostEmail', () => {
      const hosts = ['zed@example.com', 'amy@example.com', 'max@example.com'];
      const event = parseInviteeEvent(buildInviteeCreated({ hostEmails: hosts }));
      expect(event.hostEmail).toBe('zed@example.com');
      expect(event.hostEmails).toEqual(hosts);
    });

    it('gives a null hostEmail when the event names no host', () => {
      const event = parseInviteeEvent(buildInviteeCreated({ hostEmails: [] }));
      expect(event.hostEmail).toBeNull();
      expect(event.hostEmails).toEqual([]);
    });

    it('puts the primary host first in the legacy shape', () => {
      const body = fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json') as Record<string, unknown>;
      at(body, 'payload.event')['extended_assigned_to'] = [
        { name: 'Second', email: 'second@example.com', primary: false },
        { name: 'Primary', email: 'primary@example.com', primary: true },
      ];
      expect(parseInviteeEvent(body).hostEmails).toEqual([
        'primary@example.com',
        'second@example.com',
      ]);
    });

    it('normalises +02:00 offsets to UTC', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({
          start: '2026-03-10T16:00:00+02:00',
          end: '2026-03-10T16:45:00.000+02:00',
        }),
      );
      expect(event).toMatchObject({
        startTime: '2026-03-10T14:00:00Z',
        endTime: '2026-03-10T14:45:00Z',
        durationMinutes: 45,
      });
    });

    it('computes the duration from start and end across midnight', () => {
      const event = parseInviteeEvent(
        buildInviteeCreated({ start: '2026-03-10T23:30:00Z', end: '2026-03-11T01:00:00Z' }),
      );
      expect(event.durationMinutes).toBe(90);
    });

    it('falls back to first and last name when name is null', () => {
      const body = createdWith((b) => {
        Object.assign(at(b, 'payload'), { name: null, first_name: 'Ada', last_name: 'Lovelace' });
      });
      expect(parseInviteeEvent(body).invitee.name).toBe('Ada Lovelace');
    });

    it('ignores unknown extra fields', () => {
      const plain = buildInviteeCreated();
      const extended = createdWith((b) => {
        b['webhook_version'] = 3;
        at(b, 'payload')['brand_new_field'] = { nested: [1, 2, 3] };
        at(b, 'payload.scheduled_event')['future_setting'] = true;
        at(b, 'payload.scheduled_event.location')['extra'] = 'x';
      });
      expect(parseInviteeEvent(extended)).toEqual(parseInviteeEvent(plain));
    });
  });

  describe('malformed input', () => {
    it.each<[string, unknown, string, RegExp]>([
      ['a body that is not JSON', '{"event": "invitee.created", ', '(body)', /not valid JSON/],
      ['a Buffer that is not JSON', Buffer.from('<html>502</html>'), '(body)', /not valid JSON/],
      ['a JSON array', '[]', '(body)', /must be an object/],
      ['no event', createdWith((b) => delete b['event']), 'event', /event is missing/],
      ['an empty event', createdWith((b) => (b['event'] = '')), 'event', /event is missing/],
      ['no payload', createdWith((b) => delete b['payload']), 'payload', /payload is missing/],
      [
        'a payload that is a string',
        createdWith((b) => (b['payload'] = 'x')),
        'payload',
        /must be an object/,
      ],
      [
        'no payload.scheduled_event',
        createdWith((b) => delete at(b, 'payload')['scheduled_event']),
        'payload.scheduled_event',
        /payload\.scheduled_event is missing/,
      ],
      [
        'no scheduled_event.uri',
        createdWith((b) => delete at(b, 'payload.scheduled_event')['uri']),
        'payload.scheduled_event.uri',
        /payload\.scheduled_event\.uri is missing/,
      ],
      [
        'no invitee uri',
        createdWith((b) => (at(b, 'payload')['uri'] = null)),
        'payload.uri',
        /payload\.uri is missing/,
      ],
      [
        'no start_time',
        createdWith((b) => delete at(b, 'payload.scheduled_event')['start_time']),
        'payload.scheduled_event.start_time',
        /payload\.scheduled_event\.start_time is missing/,
      ],
      [
        'no end_time',
        createdWith((b) => delete at(b, 'payload.scheduled_event')['end_time']),
        'payload.scheduled_event.end_time',
        /payload\.scheduled_event\.end_time is missing/,
      ],
      [
        'a start_time that is not ISO 8601',
        createdWith((b) => (at(b, 'payload.scheduled_event')['start_time'] = 'March 10, 2026 2pm')),
        'payload.scheduled_event.start_time',
        /payload\.scheduled_event\.start_time is not an ISO 8601 date-time/,
      ],
      [
        'a start_time without a time zone',
        createdWith(
          (b) => (at(b, 'payload.scheduled_event')['start_time'] = '2026-03-10T14:00:00'),
        ),
        'payload.scheduled_event.start_time',
        /payload\.scheduled_event\.start_time is not an ISO 8601 date-time with a time zone/,
      ],
      [
        'an end_time before start_time',
        buildInviteeCreated({ start: '2026-03-10T14:00:00Z', end: '2026-03-10T13:30:00Z' }),
        'payload.scheduled_event.end_time',
        /payload\.scheduled_event\.end_time must be after start_time/,
      ],
      [
        'an end_time equal to start_time',
        buildInviteeCreated({ start: '2026-03-10T14:00:00Z', end: '2026-03-10T14:00:00.000000Z' }),
        'payload.scheduled_event.end_time',
        /payload\.scheduled_event\.end_time must be after start_time/,
      ],
      [
        'no invitee email',
        createdWith((b) => delete at(b, 'payload')['email']),
        'payload.email',
        /payload\.email is missing/,
      ],
      [
        'no invitee name at all',
        createdWith((b) => (at(b, 'payload')['name'] = null)),
        'payload.name',
        /payload\.name is missing/,
      ],
      [
        'a scheduled_event.uri that is a number',
        createdWith((b) => (at(b, 'payload.scheduled_event')['uri'] = 42)),
        'payload.scheduled_event.uri',
        /payload\.scheduled_event\.uri must be a string/,
      ],
      [
        'an invitee email that is an array',
        createdWith((b) => (at(b, 'payload')['email'] = ['a@example.com'])),
        'payload.email',
        /payload\.email must be a string/,
      ],
      [
        'a scheduled_event that is a string',
        createdWith((b) => (at(b, 'payload')['scheduled_event'] = scheduledEventUri('ev-1'))),
        'payload.scheduled_event',
        /payload\.scheduled_event must be an object/,
      ],
      [
        'event_memberships that is not an array',
        createdWith(
          (b) => (at(b, 'payload.scheduled_event')['event_memberships'] = 'host@example.com'),
        ),
        'payload.scheduled_event.event_memberships',
        /payload\.scheduled_event\.event_memberships must be an array/,
      ],
      [
        'a join_url that is not a string',
        createdWith((b) => (at(b, 'payload.scheduled_event.location')['join_url'] = true)),
        'payload.scheduled_event.location.join_url',
        /payload\.scheduled_event\.location\.join_url must be a string/,
      ],
      [
        'a legacy invitee without an email',
        (() => {
          const body = fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json') as Record<
            string,
            unknown
          >;
          delete at(body, 'payload.invitee')['email'];
          return body;
        })(),
        'payload.invitee.email',
        /payload\.invitee\.email is missing/,
      ],
      [
        'a legacy event without a uuid',
        (() => {
          const body = fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json') as Record<
            string,
            unknown
          >;
          delete at(body, 'payload.event')['uuid'];
          return body;
        })(),
        'payload.event.uuid',
        /payload\.event\.uuid is missing/,
      ],
    ])('rejects %s, naming the field', (_label, input, field, message) => {
      const error = parseError(input);
      expect(error).not.toBeInstanceOf(UnsupportedEventError);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });

    it('keeps the JSON parser error as the cause', () => {
      expect(parseError('{').cause).toBeInstanceOf(SyntaxError);
    });
  });

  describe('events this integration does not handle', () => {
    it.each([
      [
        'invitee_no_show.created',
        {
          uri: `${API}/invitee_no_shows/d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6`,
          invitee: inviteeUri('ev-1', 'inv-1'),
          created_at: '2026-03-10T14:40:00.000000Z',
        },
      ],
      [
        'routing_form_submission.created',
        {
          uri: `${API}/routing_form_submissions/f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9`,
          routing_form: `${API}/routing_forms/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d`,
          questions_and_answers: [],
          tracking: {},
          result: { type: 'event_type', value: `${API}/event_types/x` },
          submitter: null,
          submitter_type: null,
        },
      ],
    ])(
      'rejects %s with an UnsupportedEventError that says it is not handled',
      (eventType, payload) => {
        const error = parseError({ event: eventType, created_at: '2026-03-10T14:40:00Z', payload });
        expect(error).toBeInstanceOf(UnsupportedEventError);
        expect(error).toBeInstanceOf(InvalidPayloadError);
        expect(error).toMatchObject({ field: 'event', eventType, kind: 'unsupported_event' });
        expect(error.message).toContain(`"${eventType}" is not handled`);
      },
    );

    it('recognises an unhandled event before looking at its payload', () => {
      expect(parseError({ event: 'invitee_no_show.deleted' })).toBeInstanceOf(
        UnsupportedEventError,
      );
    });
  });
});

describe('parseInviteeEvent: edge cases found in review', () => {
  const base = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/calendly/invitee.created.json'), 'utf8'),
  ) as { event: unknown; payload: { scheduled_event: { start_time: string } } };

  it('rejects a calendar date that does not exist instead of rolling it over', () => {
    const body = structuredClone(base);
    body.payload.scheduled_event.start_time = '2026-02-30T10:00:00Z';
    expect(() => parseInviteeEvent(body)).toThrow(
      expect.objectContaining({ field: 'payload.scheduled_event.start_time' }),
    );
  });

  it('says an event name of the wrong type is the wrong type, not missing', () => {
    const body = structuredClone(base);
    body.event = 42;
    expect(() => parseInviteeEvent(body)).toThrow(/event must be a string/);
  });
});

describe('parseInviteeEvent: hostile input', () => {
  /** `levels` nested arrays around `inner`: tiny to send, deep enough to overflow any recursion. */
  const nested = (levels: number, inner = '1'): string =>
    `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
  /** A builder body as raw JSON text with `marker` (a quoted JSON string) replaced by `json`. */
  const rawWith = (body: unknown, marker: string, json: string): string => {
    const text = JSON.stringify(body);
    expect(text).toContain(marker);
    return text.replace(marker, json);
  };

  describe('nesting 200,000 levels deep', () => {
    it('refuses it in questions_and_answers[].answer, naming the field, without overflowing', () => {
      const body = buildInviteeCreated();
      const raw = rawWith(body, '"Onboarding questions"', nested(200_000));
      const error = parseError(raw);
      expect(error).toMatchObject({
        field: 'payload.questions_and_answers[0].answer',
        rule: 'not_string',
      });
    });

    it('refuses it in questions_and_answers[].question', () => {
      const raw = rawWith(
        buildInviteeCreated(),
        '"What would you like to discuss?"',
        nested(200_000),
      );
      expect(parseError(raw)).toMatchObject({
        field: 'payload.questions_and_answers[0].question',
      });
    });

    it('refuses it as questions_and_answers itself, naming the item', () => {
      const body = createdWith((b) => (at(b, 'payload')['questions_and_answers'] = 'MARK'));
      const raw = rawWith(body, '"MARK"', nested(200_000));
      expect(parseError(raw)).toMatchObject({ field: 'payload.questions_and_answers[0]' });
    });

    it.each([
      ['payload.tracking', 'tracking'],
      ['payload.scheduled_event.event_guests', 'event_guests'],
      ['payload.routing_form_submission', 'routing_form_submission'],
    ])('ignores it in %s, a field the integration does not read', (_path, key) => {
      const body = createdWith((b) => {
        const parent = key === 'event_guests' ? at(b, 'payload.scheduled_event') : at(b, 'payload');
        parent[key] = 'MARK';
      });
      const raw = rawWith(body, '"MARK"', `{"x":${nested(200_000)}}`);
      expect(parseInviteeEvent(raw).eventUuid).toBe(parseInviteeEvent(body).eventUuid);
    });

    it('refuses deeply nested objects in a field it reads as a string', () => {
      const body = createdWith((b) => (at(b, 'payload.scheduled_event.location')['type'] = 'MARK'));
      const raw = rawWith(body, '"MARK"', `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`);
      expect(parseError(raw)).toMatchObject({
        field: 'payload.scheduled_event.location.type',
        rule: 'not_string',
      });
    });
  });

  describe('errors name the field and the rule, never the value', () => {
    const VALUE = 'TOKEN-a1b2c3-never-echo';
    it.each<[string, unknown, string, string]>([
      [
        'start_time carrying text',
        createdWith((b) => (at(b, 'payload.scheduled_event')['start_time'] = VALUE)),
        'payload.scheduled_event.start_time',
        'not_date_time',
      ],
      [
        'end_time carrying text',
        createdWith((b) => (at(b, 'payload.scheduled_event')['end_time'] = `2026-03-10 ${VALUE}`)),
        'payload.scheduled_event.end_time',
        'not_date_time',
      ],
      [
        'an event URI on another host',
        createdWith(
          (b) =>
            (at(b, 'payload.scheduled_event')['uri'] =
              `https://evil.example/scheduled_events/x?token=${VALUE}`),
        ),
        'payload.scheduled_event.uri',
        'not_calendly_uri',
      ],
      [
        'an event URI ending in a slash',
        createdWith((b) => (at(b, 'payload.scheduled_event')['uri'] = `https://${VALUE}/`)),
        'payload.scheduled_event.uri',
        'not_calendly_uri',
      ],
      [
        'an event name that is not a Calendly event name',
        createdWith((b) => (b['event'] = `invitee.created ${VALUE}`)),
        'event',
        'not_event_name',
      ],
      ['a body that is not JSON', `{"event": "${VALUE}`, '(body)', 'not_json'],
    ])('%s', (_label, input, field, rule) => {
      const error = parseError(input);
      expect(error).toMatchObject({ field, rule });
      expect(error.message).toContain(field === '(body)' ? 'JSON' : field);
      expect(error.message).not.toContain(VALUE);
      expect(error.message).not.toContain('evil.example');
    });
  });

  describe('event and invitee URIs must be Calendly API URIs', () => {
    it.each<[string, Mutation, string]>([
      [
        'an event URI on another host',
        (b) => (at(b, 'payload.scheduled_event')['uri'] = `https://evil.example/x?token=abc`),
        'payload.scheduled_event.uri',
      ],
      [
        'an event URI on another scheme',
        (b) =>
          (at(b, 'payload.scheduled_event')['uri'] = `http://api.calendly.com/scheduled_events/e1`),
        'payload.scheduled_event.uri',
      ],
      [
        'an event URI with a query',
        (b) => (at(b, 'payload.scheduled_event')['uri'] = `${scheduledEventUri('e1')}?token=abc`),
        'payload.scheduled_event.uri',
      ],
      [
        'an event URI of another resource',
        (b) => (at(b, 'payload.scheduled_event')['uri'] = `${API}/users/e1`),
        'payload.scheduled_event.uri',
      ],
      [
        'an event URI whose id has a path in it',
        (b) => (at(b, 'payload.scheduled_event')['uri'] = `${API}/scheduled_events/a/../b`),
        'payload.scheduled_event.uri',
      ],
      [
        'an invitee URI on another host',
        (b) => (at(b, 'payload')['uri'] = 'https://evil.example/invitees/x'),
        'payload.uri',
      ],
      [
        'an invitee URI under another scheduled event',
        (b) => (at(b, 'payload')['uri'] = inviteeUri('another-event', 'inv-1')),
        'payload.uri',
      ],
      [
        'an old_invitee that is not an invitee URI',
        (b) => (at(b, 'payload')['old_invitee'] = 'https://evil.example/x?token=abc'),
        'payload.old_invitee',
      ],
      [
        'a new_invitee that is a scheduled event URI',
        (b) => (at(b, 'payload')['new_invitee'] = scheduledEventUri('ev-2')),
        'payload.new_invitee',
      ],
    ])('refuses %s', (_label, mutate, field) => {
      expect(parseError(createdWith(mutate))).toMatchObject({ field, rule: 'not_calendly_uri' });
    });

    it('refuses a legacy v1 uuid that cannot be part of a URI', () => {
      const body = fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json') as Record<string, unknown>;
      at(body, 'payload.event')['uuid'] = 'x/../../users/me';
      expect(parseError(body)).toMatchObject({
        field: 'payload.event.uuid',
        rule: 'not_calendly_id',
      });
    });

    it('accepts URIs on the configured API host instead, for local fakes', () => {
      const local = 'http://127.0.0.1:4010';
      const body = createdWith((b) => {
        at(b, 'payload.scheduled_event')['uri'] = `${local}/scheduled_events/ev-1`;
        at(b, 'payload')['uri'] = `${local}/scheduled_events/ev-1/invitees/inv-1`;
      });
      expect(parseInviteeEvent(body, { calendlyApiUrl: local })).toMatchObject({
        eventUri: `${local}/scheduled_events/ev-1`,
        eventUuid: 'ev-1',
        inviteeUuid: 'inv-1',
      });
      expect(() => parseInviteeEvent(buildInviteeCreated(), { calendlyApiUrl: local })).toThrow(
        expect.objectContaining({ field: 'payload.scheduled_event.uri' }),
      );
    });

    it('rebuilds legacy v1 URIs on the configured API host', () => {
      const local = 'http://127.0.0.1:4010';
      const event = parseInviteeEvent(fixture('LEGACY-v1-invitee.created.DO-NOT-USE.json'), {
        calendlyApiUrl: local,
      });
      expect(event.eventUri).toBe(`${local}/scheduled_events/BBBBBBBBBBBBBBBB`);
    });
  });
});
