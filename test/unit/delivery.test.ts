import { InvalidPayloadError, WebhookVerificationError } from '../../src/calendly/errors';
import { handleDelivery, readDelivery } from '../../src/delivery';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  DEFAULT_EVENT_UUID,
  signedDelivery,
} from '../support/calendly-payloads';
import { harness } from '../support/lifecycle-harness';

const KEY = 'delivery-test-key';
const NOW = Date.parse('2026-11-26T12:00:00Z');
const T = Math.floor(NOW / 1000);

function input(body: unknown, options: { key?: string; timestamp?: number } = {}) {
  const { rawBody, headers } = signedDelivery(body, {
    signingKey: options.key ?? KEY,
    timestamp: options.timestamp ?? T,
  });
  return { rawBody, headers, signingKeys: [KEY], now: NOW };
}

describe('readDelivery', () => {
  it('returns the parsed event and the signed timestamp', () => {
    const read = readDelivery(input(buildInviteeCreated()));
    expect(read).toMatchObject({
      type: 'event',
      timestamp: T,
      event: { kind: 'invitee.created', eventUuid: DEFAULT_EVENT_UUID, format: 'v2' },
    });
  });

  it('checks the signature before looking at the body: unsigned garbage is a 401 kind of error', () => {
    const bad = { ...input('not json at all'), signingKeys: ['another-key'] };
    expect(() => readDelivery(bad)).toThrow(WebhookVerificationError);
  });

  it('names the field when a signed body is not an invitee event', () => {
    expect(() => readDelivery(input('not json'))).toThrow(
      expect.objectContaining({ name: 'InvalidPayloadError', field: '(body)' }),
    );
    expect(() => readDelivery(input({ event: 'invitee.created', payload: {} }))).toThrow(
      InvalidPayloadError,
    );
  });

  it('reports an event type it does not handle as ignored, not as an error', () => {
    const read = readDelivery(input({ event: 'invitee_no_show.created', payload: {} }));
    expect(read).toEqual({
      type: 'ignored',
      eventType: 'invitee_no_show.created',
      message: expect.stringContaining('invitee_no_show.created'),
    });
  });

  it('holds event URIs to the configured Calendly API host', () => {
    const local = 'http://127.0.0.1:4010';
    expect(() => readDelivery({ ...input(buildInviteeCreated()), calendlyApiUrl: local })).toThrow(
      expect.objectContaining({ field: 'payload.scheduled_event.uri', rule: 'not_calendly_uri' }),
    );
  });

  it('finds the header whatever its case or Zapier prefix, and accepts a rotated key', () => {
    const { rawBody, header } = signedDelivery(buildInviteeCreated(), {
      signingKey: 'old-key',
      timestamp: T,
    });
    const read = readDelivery({
      rawBody,
      headers: { 'Http-Calendly-Webhook-Signature': header },
      signingKeys: ['new-key', 'old-key'],
      now: NOW,
    });
    expect(read.type).toBe('event');
  });
});

describe('handleDelivery', () => {
  it('runs a signed invitee.created through the lifecycle', async () => {
    const h = harness();
    const outcome = await handleDelivery(input(buildInviteeCreated()), h.deps);
    expect(outcome).toMatchObject({ outcome: 'created', eventUuid: DEFAULT_EVENT_UUID });
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  it('runs a signed invitee.canceled through the lifecycle', async () => {
    const h = harness();
    await handleDelivery(input(buildInviteeCreated()), h.deps);
    const outcome = await handleDelivery(input(buildInviteeCanceled()), h.deps);
    expect(outcome).toMatchObject({ outcome: 'cancelled' });
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });

  it('answers ignored for an event type it does not handle, touching nothing', async () => {
    const h = harness();
    const outcome = await handleDelivery(
      input({ event: 'routing_form_submission.created', payload: {} }),
      h.deps,
    );
    expect(outcome).toMatchObject({
      outcome: 'ignored',
      eventType: 'routing_form_submission.created',
    });
    expect(h.zoom.calls).toEqual([]);
  });

  it('never reaches the lifecycle when the signature fails', async () => {
    const h = harness();
    const claim = jest.spyOn(h.store, 'claimCreate');
    await expect(
      handleDelivery(input(buildInviteeCreated(), { key: 'wrong-key' }), h.deps),
    ).rejects.toMatchObject({ reason: 'signature_mismatch' });
    expect(claim).not.toHaveBeenCalled();
    expect(h.zoom.calls).toEqual([]);
  });
});
