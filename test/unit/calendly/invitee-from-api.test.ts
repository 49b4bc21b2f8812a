import nock from 'nock';
import { createCalendlyClient } from '../../../src/calendly/client';
import {
  fetchBooking,
  inviteeEventFromApi,
  inviteeRefOf,
} from '../../../src/calendly/invitee-from-api';
import { createFetchHttpClient } from '../../../src/http';
import canceledRescheduled from '../../fixtures/calendly/invitee.canceled.rescheduled.json';
import createdRescheduled from '../../fixtures/calendly/invitee.created.rescheduled.json';
import createdDelivery from '../../fixtures/calendly/invitee.created.json';

const API = 'https://api.calendly.com';
const TOKEN = 'calendly-token-DO-NOT-LEAK';

/** The API's two resources for a booking: a webhook payload is the invitee with its event inside. */
function asApiResources(delivery: { payload: Record<string, unknown> }) {
  const { scheduled_event: scheduledEvent, ...invitee } = delivery.payload;
  return { invitee, scheduledEvent: scheduledEvent as Record<string, unknown> };
}

describe('inviteeRefOf', () => {
  it('reads the event and invitee ids from an invitee URI', () => {
    expect(inviteeRefOf(`${API}/scheduled_events/ev-1/invitees/inv-2`)).toEqual({
      eventUuid: 'ev-1',
      inviteeUuid: 'inv-2',
    });
  });

  it.each([
    ['an event URI', `${API}/scheduled_events/ev-1`],
    ['a bare UUID', 'inv-2'],
    ['a cancellation page', 'https://calendly.com/cancellations/inv-2'],
  ])('refuses %s', (_case, uri) => {
    expect(inviteeRefOf(uri)).toBeNull();
  });
});

describe('inviteeEventFromApi', () => {
  it('reads an active invitee as the booking being made, with what the webhook would carry', () => {
    const { invitee, scheduledEvent } = asApiResources(createdDelivery);

    const event = inviteeEventFromApi(invitee, scheduledEvent);

    expect(event).toMatchObject({
      kind: 'invitee.created',
      eventUri: createdDelivery.payload.scheduled_event.uri,
      inviteeUri: createdDelivery.payload.uri,
      startTime: '2026-03-10T14:00:00Z',
      durationMinutes: 30,
      hostEmail: 'host@example.com',
      invitee: { name: 'Jane Doe', email: 'jane.doe@example.com' },
      rescheduled: false,
      deliveredAt: null,
    });
  });

  it('reads a canceled, rescheduled invitee as the old half of a reschedule', () => {
    const { invitee, scheduledEvent } = asApiResources(canceledRescheduled);

    expect(inviteeEventFromApi(invitee, scheduledEvent)).toMatchObject({
      kind: 'invitee.canceled',
      rescheduled: true,
      newInviteeUri: canceledRescheduled.payload.new_invitee,
    });
  });

  it('reads the new half of a reschedule with the invitee it replaces', () => {
    const { invitee, scheduledEvent } = asApiResources(createdRescheduled);

    expect(inviteeEventFromApi(invitee, scheduledEvent)).toMatchObject({
      kind: 'invitee.created',
      oldInviteeUri: createdRescheduled.payload.old_invitee,
    });
  });
});

describe('fetchBooking', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('reads the invitee and its event from the URI, with the host name', async () => {
    const { invitee, scheduledEvent } = asApiResources(createdDelivery);
    const eventUuid = String(scheduledEvent.uri).split('/').pop() ?? '';
    const inviteeUuid = createdDelivery.payload.uri.split('/').pop() ?? '';
    const api = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(`/scheduled_events/${eventUuid}/invitees/${inviteeUuid}`)
      .reply(200, { resource: invitee })
      .get(`/scheduled_events/${eventUuid}`)
      .reply(200, { resource: scheduledEvent });
    const calendly = createCalendlyClient({ http: createFetchHttpClient(), token: TOKEN });

    const booking = await fetchBooking(calendly, { eventUuid, inviteeUuid });

    expect(booking.event.inviteeUri).toBe(createdDelivery.payload.uri);
    expect(booking.hostName).toBe('Harriet Host');
    expect(api.isDone()).toBe(true);
  });
});
