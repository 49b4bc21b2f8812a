import { createEmailSender, smtpSendMail } from '../../../src/notify/email-sender';
import { composeMail } from '../../../src/notify/mail-message';
import { loadMailTemplates, type EmailNoticeType } from '../../../src/notify/mail-templates';
import type { Notice } from '../../../src/store/outbox';
import { startSmtpTestServer, type SmtpTestServer } from '../../support/smtp-test-server';
import { notice } from './notify-test-kit';

// nodemailer against a real SMTP server in this process; what arrives is parsed with mailparser.

let smtp: SmtpTestServer;
let closers: (() => void)[];

beforeEach(async () => {
  smtp = await startSmtpTestServer();
  closers = [];
});
afterEach(async () => {
  for (const close of closers) close();
  await smtp.close();
});

function sender(url = smtp.url) {
  const transport = smtpSendMail(url, 'Acme Bookings <bookings@acme.example>');
  closers.push(transport.close);
  return createEmailSender({
    sendMail: transport.send,
    compose: (n) =>
      composeMail(n as Notice & { type: EmailNoticeType }, {
        templates: loadMailTemplates(null),
        locale: 'en-US',
        includePasscode: false,
        ccHost: true,
      }),
  });
}

describe('the email sender', () => {
  it('delivers text, HTML and the calendar invitation, from MAIL_FROM to the invitee, host in Cc', async () => {
    const n = notice();
    expect(await sender()(n)).toEqual({ type: 'delivered' });

    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelope).toEqual({
      from: 'bookings@acme.example',
      to: ['jane@example.com', 'host@example.com'],
    });
    const parsed = mail!.parsed;
    expect(parsed.from?.value).toEqual([
      { name: 'Acme Bookings', address: 'bookings@acme.example' },
    ]);
    expect(parsed.messageId).toBe(`<${n.id}@calendly-zoom>`);
    expect(parsed.subject).toMatch(/^Your Zoom link: 30 Minute Consultation/);
    expect(parsed.text).toContain('https://zoom.us/j/85012345678?pwd=abc');
    expect(parsed.html).toContain('href="https://zoom.us/j/85012345678?pwd=abc"');
    const calendar = parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar).toBeDefined();
    expect(mail!.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const ics = calendar!.content.toString('utf8');
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('UID:zoom-meeting-85012345678@calendly-zoom');
  });

  it('gives up on a recipient the server rejects for good (5xx)', async () => {
    smtp.rejectRecipient('jane@example.com', 550);
    smtp.rejectRecipient('host@example.com', 550);
    const outcome = await sender()(notice());
    expect(outcome).toMatchObject({ type: 'give_up', error: expect.stringContaining('550') });
  });

  it('retries when the server says to try later (4xx)', async () => {
    smtp.fail();
    const outcome = await sender()(notice());
    expect(outcome).toMatchObject({ type: 'retry', error: expect.stringContaining('451') });
  });

  it('retries when the login is refused, and never repeats the password', async () => {
    const wrong = smtp.url.replace(encodeURIComponent(smtp.password), 'wrong-password');
    const outcome = await sender(wrong)(notice());
    expect(outcome).toMatchObject({ type: 'retry', error: expect.stringContaining('EAUTH') });
    expect(JSON.stringify(outcome)).not.toContain('wrong-password');
  });

  it('retries when nothing listens', async () => {
    const url = smtp.url;
    await smtp.close();
    const outcome = await sender(url)(notice());
    expect(outcome).toMatchObject({
      type: 'retry',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    smtp = await startSmtpTestServer();
  });

  it('gives up on a booking without an invitee address, sending nothing', async () => {
    const n = notice();
    n.booking.invitee.email = '';
    expect(await sender()(n)).toEqual({
      type: 'give_up',
      error: 'the booking has no invitee email address',
    });
    expect(smtp.messages).toEqual([]);
  });

  it('gives up on a notice that is not sent by email', async () => {
    const send = createEmailSender({ sendMail: async () => undefined, compose: () => null });
    expect(await send(notice({ type: 'booking.needs_attention' }))).toMatchObject({
      type: 'give_up',
    });
  });
});
