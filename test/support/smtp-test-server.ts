import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the test process (smtp-server), with a login, that parses every message
 * it accepts with mailparser. Plain SMTP on 127.0.0.1: STARTTLS is off, so nodemailer talks to
 * it without a certificate.
 */
export interface SmtpTestServer {
  /** SMTP_URL for it, with the login. */
  url: string;
  password: string;
  messages: ReceivedMail[];
  /** Rejects RCPT TO for this address with `status` (default 550, "no such mailbox"). */
  rejectRecipient(address: string, status?: number): void;
  /** Answers 451 ("try again later") to every message until `recover`. */
  fail(): void;
  recover(): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** When the server accepted it (ms since epoch). */
  receivedAt: number;
  parsed: ParsedMail;
  raw: string;
}

const USER = 'mailer';

export async function startSmtpTestServer(
  options: { password?: string } = {},
): Promise<SmtpTestServer> {
  const password = options.password ?? `smtp-password-NEVER-LOG-${process.pid}`;
  const messages: ReceivedMail[] = [];
  const rejected = new Map<string, number>();
  const waiters = new Set<() => void>();
  let failing = false;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === password) callback(null, { user: USER });
      else callback(Object.assign(new Error('Invalid login'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const status = rejected.get(address.address);
      if (status === undefined) callback();
      else callback(Object.assign(new Error('No such mailbox'), { responseCode: status }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failing) {
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              receivedAt: Date.now(),
              parsed,
              raw: raw.toString('utf8'),
            });
            callback();
            for (const wake of [...waiters]) wake();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    password,
    messages,
    rejectRecipient(address, status = 550) {
      rejected.set(address, status);
    },
    fail() {
      failing = true;
    },
    recover() {
      failing = false;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`expected ${count} email(s), got ${messages.length} in ${timeoutMs} ms`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
