import { webhookPayload } from '../../../src/notify/webhook-payload';
import type { Notice, NotificationType } from '../../../src/store/outbox';
import { notice } from './notify-test-kit';

const payload = (n: Notice, includePasscode = false) =>
  webhookPayload(n as Notice & { type: NotificationType }, { includePasscode });

const booking = {
  eventUri: 'https://api.calendly.com/scheduled_events/evt-0001',
  eventUuid: 'evt-0001',
  inviteeUri: 'https://api.calendly.com/scheduled_events/evt-0001/invitees/inv-0001',
  eventName: '30 Minute Consultation',
  hostEmail: 'host@example.com',
  invitee: { name: 'Jane Doe', email: 'jane@example.com', timezone: 'Europe/Berlin' },
  startTime: '2026-03-10T14:00:00.000Z',
  endTime: '2026-03-10T14:30:00.000Z',
};
const meeting = {
  id: '85012345678',
  joinUrl: 'https://zoom.us/j/85012345678?pwd=abc',
  host: 'host@example.com',
};

describe('the webhook payload', () => {
  it('meeting.created: the Standard Webhooks envelope around the booking and the meeting', () => {
    expect(payload(notice())).toEqual({
      type: 'meeting.created',
      timestamp: '2026-03-01T09:00:00.000Z',
      data: { booking, meeting },
    });
  });

  it('meeting.moved: adds where the meeting was before', () => {
    const previous = { startTime: '2026-03-09T10:00:00.000Z', durationMinutes: 45 };
    expect(payload(notice({ type: 'meeting.moved', previous }))).toEqual({
      type: 'meeting.moved',
      timestamp: '2026-03-01T09:00:00.000Z',
      data: { booking, meeting, previous },
    });
  });

  it('meeting.deleted: adds why', () => {
    expect(payload(notice({ type: 'meeting.deleted', reason: 'superseded' })).data).toEqual({
      booking,
      meeting,
      reason: 'superseded',
    });
  });

  it('booking.needs_attention: what went wrong and what fixes it', () => {
    const at = Date.parse('2026-03-01T08:59:59Z');
    const n = notice({
      type: 'booking.needs_attention',
      meeting: null,
      attention: {
        reason: 'host_without_zoom_user',
        message: 'No Zoom user for host@example.com.',
        at,
      },
    });
    expect(payload(n).data).toEqual({
      booking,
      meeting: null,
      attention: {
        reason: 'host_without_zoom_user',
        message: 'No Zoom user for host@example.com.',
        fix: expect.stringContaining('ZOOM_DEFAULT_HOST'),
        at: '2026-03-01T08:59:59.000Z',
      },
    });
  });

  it('carries the passcode only when NOTIFY_INCLUDE_PASSCODE is on', () => {
    expect(JSON.stringify(payload(notice()))).not.toContain('secret-passcode-123');
    expect(payload(notice(), true).data.meeting).toEqual({
      ...meeting,
      passcode: 'secret-passcode-123',
    });
  });

  it('never carries what a notice was not meant to hold, such as a start URL', () => {
    const n = notice();
    Object.assign(n.meeting!, { startUrl: 'https://zoom.us/s/1?zak=secret' });
    Object.assign(n.booking, { startUrl: 'https://zoom.us/s/1?zak=secret' });
    expect(JSON.stringify(payload(n, true))).not.toMatch(/zak=|startUrl|start_url/);
  });
});
