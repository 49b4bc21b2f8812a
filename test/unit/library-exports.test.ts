import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as library from '../../src/index';
import { claimInput, EVENT, storedMeeting, T0 } from '../support/store-inputs';

// DESIGN.md's library contract, checked through the public entry rather than the modules.
describe('the library entry (src/index.ts)', () => {
  const vector = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/calendly/signature-test-vector.json'), 'utf8'),
  ) as { signing_key: string; t: string; raw_body: string; header: string };

  it('verifies a Calendly signature and returns its timestamp', () => {
    expect(
      library.verifyCalendlySignature({
        rawBody: vector.raw_body,
        header: vector.header,
        signingKeys: [vector.signing_key],
        now: Number(vector.t) * 1000,
      }),
    ).toEqual({ timestamp: Number(vector.t) });
  });

  it('throws WebhookVerificationError with a reason for a bad signature', () => {
    expect(() =>
      library.verifyCalendlySignature({
        rawBody: vector.raw_body + ' ',
        header: vector.header,
        signingKeys: [vector.signing_key],
        now: Number(vector.t) * 1000,
      }),
    ).toThrow(
      expect.objectContaining({ name: 'WebhookVerificationError', reason: 'signature_mismatch' }),
    );
  });

  it('parses an invitee event with the fields the contract names', () => {
    const event = library.parseInviteeEvent(vector.raw_body);
    for (const field of [
      'kind',
      'eventUri',
      'eventUuid',
      'inviteeUri',
      'inviteeUuid',
      'eventName',
      'startTime',
      'endTime',
      'durationMinutes',
      'hostEmail',
      'hostEmails',
      'invitee',
      'rescheduled',
      'oldInviteeUri',
      'newInviteeUri',
      'location',
      'seats',
      'format',
    ]) {
      expect(event).toHaveProperty(field);
    }
  });

  it('throws InvalidPayloadError naming the missing field', () => {
    expect(() => library.parseInviteeEvent({ event: 'invitee.created' })).toThrow(
      expect.objectContaining({ name: 'InvalidPayloadError', field: 'payload' }),
    );
  });

  it('exports the Make simulator, which runs a blueprint and refuses what it does not model', async () => {
    const blueprint = {
      name: 'echo',
      flow: [
        {
          id: 1,
          module: 'gateway:CustomWebHook',
          version: 1,
          parameters: {},
          mapper: {},
          metadata: { designer: { x: 0, y: 0 } },
        },
        {
          id: 2,
          module: 'gateway:WebhookRespond',
          version: 1,
          mapper: { status: '200', body: '{{1.value}}', headers: [] },
          metadata: { designer: { x: 0, y: 0 } },
        },
      ],
      metadata: { version: 1, scenario: {}, designer: { orphans: [] } },
    };
    const sim = new library.MakeSimulator({ blueprint });
    expect(await sim.deliver({ body: 'hello' })).toMatchObject({
      status: 200,
      body: 'hello',
      operations: 2,
    });
    const unmodelled = structuredClone(blueprint);
    unmodelled.flow[1] = {
      ...unmodelled.flow[1],
      module: 'slack:CreateMessage',
    } as (typeof unmodelled.flow)[1];
    expect(() => new library.MakeSimulator({ blueprint: unmodelled })).toThrow(
      library.MakeUnsupportedError,
    );
  });

  it('writes the notices of a lifecycle change to the outbox of a store given channels', async () => {
    const store = new library.MemoryBookingStore({ notify: { channels: ['email'] } });
    await store.claimCreate(claimInput());
    await store.commitCreate({
      eventUuid: EVENT,
      owner: 'w1',
      now: T0 + 10,
      meeting: storedMeeting(),
    });
    const [item] = await store.outbox.list({ now: T0 + 20 });
    expect(item?.notice.type).toBe('meeting.created');
  });

  it.each([
    'createZoomClient',
    'createZoomTokenProvider',
    'createFetchHttpClient',
    'handleInviteeEvent',
    'MemoryBookingStore',
    'SqliteBookingStore',
    'createUpstashBookingStore',
    'runMaintenance',
    'channelsFor',
    'loadConfig',
  ])('exports %s', (name) => {
    expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
  });
});
