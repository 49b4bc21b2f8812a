import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import { composeMail, type MailOptions } from '../../../src/notify/mail-message';
import { loadMailTemplates, type EmailNoticeType } from '../../../src/notify/mail-templates';
import type { Notice } from '../../../src/store/outbox';
import { notice } from './notify-test-kit';

const options: MailOptions = {
  templates: loadMailTemplates(null),
  locale: 'en-US',
  includePasscode: false,
  ccHost: false,
};

function mail(n: Notice, extra: Partial<MailOptions> = {}) {
  return composeMail(n as Notice & { type: EmailNoticeType }, { ...options, ...extra });
}

/** The iCalendar text with folded lines joined again (RFC 5545 §3.1). */
function ics(n: Notice, extra: Partial<MailOptions> = {}): string {
  return (mail(n, extra).icalEvent?.content ?? '').replace(/\r\n[ \t]/g, '');
}

const property = (text: string, name: string): string[] =>
  text
    .split('\r\n')
    .filter((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`))
    .map((line) => line.slice(line.indexOf(':') + 1));

describe('the invitee email', () => {
  it('for a new meeting: the join link, the time in the invitee’s zone, and an invitation', () => {
    const message = mail(notice());

    expect(message.to).toBe('jane@example.com');
    expect(message.cc).toBeUndefined();
    // 14:00 UTC is 15:00 in Berlin in March.
    expect(message.subject).toBe(
      'Your Zoom link: 30 Minute Consultation, Tuesday, March 10, 2026 at 3:00 PM',
    );
    expect(message.text).toContain('Join the Zoom meeting: https://zoom.us/j/85012345678?pwd=abc');
    expect(message.text).toContain('(Europe/Berlin)');
    expect(message.html).toContain('<a href="https://zoom.us/j/85012345678?pwd=abc">');
    expect(message.icalEvent).toMatchObject({ method: 'REQUEST', filename: 'invite.ics' });
  });

  it.each<[Notice['type'], 'REQUEST' | 'CANCEL', string]>([
    ['meeting.created', 'REQUEST', 'CONFIRMED'],
    ['invitee.joined', 'REQUEST', 'CONFIRMED'],
    ['meeting.moved', 'REQUEST', 'CONFIRMED'],
    ['meeting.deleted', 'CANCEL', 'CANCELLED'],
    ['invitee.left', 'CANCEL', 'CANCELLED'],
  ])(
    'for %s: METHOD:%s, one UID per meeting and SEQUENCE from the notice',
    (type, method, status) => {
      const text = ics(
        notice({
          type,
          sequence: 3,
          previous:
            type === 'meeting.moved'
              ? { startTime: '2026-03-09T10:00:00.000Z', durationMinutes: 30 }
              : null,
          reason: type === 'meeting.deleted' || type === 'invitee.left' ? 'cancelled' : null,
        }),
      );
      expect(property(text, 'METHOD')).toEqual([method]);
      expect(property(text, 'UID')).toEqual(['zoom-meeting-85012345678@calendly-zoom']);
      expect(property(text, 'SEQUENCE')).toEqual(['3']);
      expect(property(text, 'STATUS')).toEqual([status]);
      expect(property(text, 'DTSTART')).toEqual(['20260310T140000Z']);
      expect(property(text, 'DTEND')).toEqual(['20260310T143000Z']);
      expect(property(text, 'ATTENDEE')).toEqual(['MAILTO:jane@example.com']);
      expect(property(text, 'ORGANIZER')).toEqual(['mailto:host@example.com']);
      expect(mail(notice({ type })).icalEvent?.method).toBe(method);
    },
  );

  it('for a move: the old and the new time, and the same link', () => {
    const message = mail(
      notice({
        type: 'meeting.moved',
        previous: { startTime: '2026-03-09T10:00:00.000Z', durationMinutes: 30 },
      }),
    );
    expect(message.subject).toBe(
      'Moved: 30 Minute Consultation is now Tuesday, March 10, 2026 at 3:00 PM',
    );
    expect(message.text).toContain('from Monday, March 9, 2026 at 11:00 AM to Tuesday');
    expect(message.text).toContain('https://zoom.us/j/85012345678?pwd=abc');
  });

  it('for a cancellation: says why', () => {
    const message = mail(notice({ type: 'meeting.deleted', reason: 'superseded' }));
    expect(message.subject).toMatch(/^Cancelled: 30 Minute Consultation/);
    expect(message.text).toContain('It was rescheduled: the new time comes in a separate email.');
  });

  it('escapes what the invitee typed in HTML, and keeps it as typed in plain text', () => {
    const n = notice();
    n.booking.invitee.name = 'Jane <img src=x onerror=alert(1)> "Doe"';
    n.booking.eventName = 'Talk & <b>tea</b>';
    const message = mail(n);

    expect(message.html).toContain('Jane &lt;img src=x onerror=alert(1)&gt; &quot;Doe&quot;');
    expect(message.html).toContain('Talk &amp; &lt;b&gt;tea&lt;/b&gt;');
    expect(message.html).not.toContain('<img');
    expect(message.text).toContain('Hello Jane <img src=x onerror=alert(1)> "Doe",');
  });

  it('keeps a subject on one line whatever the event name holds', () => {
    const n = notice();
    n.booking.eventName = 'Intro\r\nBcc: victim@example.com';
    expect(mail(n).subject).toBe(
      'Your Zoom link: Intro Bcc: victim@example.com, Tuesday, March 10, 2026 at 3:00 PM',
    );
  });

  it('puts the passcode in only when NOTIFY_INCLUDE_PASSCODE is on', () => {
    const templates = loadMailTemplates(null);
    templates['meeting.created'].text = 'Passcode: [{{passcode}}]';
    expect(mail(notice(), { templates }).text).toBe('Passcode: []');
    expect(mail(notice(), { templates, includePasscode: true }).text).toBe(
      'Passcode: [secret-passcode-123]',
    );
    expect(mail(notice()).text).not.toContain('secret-passcode-123');
  });

  it('copies the host when MAIL_CC_HOST is on', () => {
    expect(mail(notice(), { ccHost: true }).cc).toBe('host@example.com');
  });

  it('falls back to UTC for a time zone the runtime does not know', () => {
    const n = notice();
    n.booking.invitee.timezone = 'Mars/Olympus_Mons';
    expect(mail(n).text).toContain('Tuesday, March 10, 2026 at 2:00 PM (UTC)');
  });

  it('is the same message, Message-ID and calendar file included, each time it is composed', () => {
    const n = notice();
    expect(mail(n)).toEqual(mail(n));
    expect(mail(n).messageId).toBe(`<${n.id}@calendly-zoom>`);
  });

  it('has no calendar file when the notice has no meeting', () => {
    expect(mail(notice({ meeting: null })).icalEvent).toBeUndefined();
  });

  it('follows the date conventions of MAIL_LOCALE', () => {
    expect(mail(notice(), { locale: 'de-DE' }).subject).toContain(
      'Dienstag, 10. März 2026 um 15:00',
    );
  });
});

describe('MAIL_TEMPLATE_DIR', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a built-in template file by file', () => {
    writeFileSync(join(dir, 'meeting.created.subject.txt'), 'Zoom for {{invitee_name}}\n');
    writeFileSync(join(dir, 'meeting.moved.html'), '<p>{{start}}</p>');
    const templates = loadMailTemplates(dir);
    const message = mail(notice(), { templates });

    expect(message.subject).toBe('Zoom for Jane Doe');
    expect(message.text).toBe(mail(notice()).text);
    expect(templates['meeting.moved'].html).toBe('<p>{{start}}</p>');
  });

  it('refuses a file whose name is not a template, and a placeholder it does not know', () => {
    writeFileSync(join(dir, 'meeting.create.html'), 'x');
    writeFileSync(join(dir, 'meeting.deleted.text.txt'), '{{event}} {{joinUrl}}');
    const error = (() => {
      try {
        loadMailTemplates(dir);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('meeting.create.html is not a template name'),
      expect.stringContaining('meeting.deleted.text.txt uses {{joinUrl}}'),
    ]);
  });

  it('refuses a directory it cannot read', () => {
    expect(() => loadMailTemplates(join(dir, 'missing'))).toThrow(ConfigError);
  });
});
