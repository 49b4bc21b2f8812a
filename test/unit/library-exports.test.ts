import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as library from '../../src/index';

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

  it.each([
    'createZoomClient',
    'createZoomTokenProvider',
    'createFetchHttpClient',
    'handleInviteeEvent',
    'MemoryBookingStore',
    'SqliteBookingStore',
    'loadConfig',
  ])('exports %s', (name) => {
    expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
  });
});
