import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { Env } from '../../src/config';
import { loopbackOnlyFetch } from '../../src/sandbox/sandbox-config';
import { cliRun, keepNetworkLocal, type CliRun } from './e2e-kit';

// The first run of a new user, through the real CLI in process: `serve --sandbox` (what `npm
// start` runs without a Zoom account), then `trigger … --sandbox` and `bookings … --sandbox` from
// "another terminal", exactly as the README's quick start says.

keepNetworkLocal();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-sandbox-'));
});
/** Every sandbox a test started: stopped before its files go, even when an assertion failed first. */
const started: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.stop()));
  rmSync(dir, { recursive: true, force: true });
});

interface Sandbox {
  run: CliRun;
  url: string;
  exit: Promise<number>;
  stop(): Promise<number>;
}

async function startSandbox(argv = ['serve', '--sandbox'], env: Env = {}): Promise<Sandbox> {
  const run = cliRun({ SANDBOX_DIR: dir, ...env });
  const exit = main([...argv, '--port', '0'], run.io);
  const listening = await Promise.race([
    run.logged('sandbox receiver listening'),
    exit.then((code) => {
      throw new Error(`the sandbox exited ${code}: ${run.stderr.join('')}`);
    }),
  ]);
  const sandbox: Sandbox = {
    run,
    url: String(listening.url),
    exit,
    // Stopping twice is harmless: the second abort does nothing and the exit is the same.
    stop: async () => {
      run.stop.abort('SIGTERM');
      return exit;
    },
  };
  started.push(sandbox);
  return sandbox;
}

/** Another terminal in the same directory: `npx calendly-zoom …`. */
async function cli(
  argv: string[],
  env: Env = {},
): Promise<{ code: number; out: string; err: string }> {
  const other = cliRun({ SANDBOX_DIR: dir, ...env });
  const code = await main(argv, other.io);
  return { code, out: other.stdout.join(''), err: other.stderr.join('') };
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

describe('the sandbox, as a new user meets it', () => {
  it('start, trigger a booking, see its meeting, cancel it, see it gone', async () => {
    const sandbox = await startSandbox();
    const banner = sandbox.run.stderr.join('');
    expect(lines(banner).every((line) => line.startsWith('SANDBOX'))).toBe(true);
    const signingKey = /Signing key\s+(sandbox_[0-9a-f]+)/.exec(banner)?.[1] ?? '';
    expect(signingKey).not.toBe('');
    expect(banner).toContain(`${sandbox.url}/webhooks/calendly`);

    const made = await cli(['trigger', 'invitee.created', '--sandbox']);
    expect(made.code).toBe(0);
    expect(lines(made.out).every((line) => line.startsWith('SANDBOX'))).toBe(true);
    expect(made.out).toMatch(/HTTP 200 created/);
    expect(made.out).toMatch(/New booking: making its Zoom meeting/);
    expect(made.out).toMatch(/Zoom meeting (\d+) created {2}→ meeting created/);
    const joinUrl = /Join link: (\S+)/.exec(made.out)?.[1] ?? '';
    expect(joinUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/j\/\d+\?pwd=/);

    const meetingPage = await fetch(joinUrl);
    expect(meetingPage.status).toBe(200);
    expect(await meetingPage.text()).toMatch(/^SANDBOX: this is where Zoom meeting \d+ would open/);

    const gone = await cli(['trigger', 'invitee.canceled', '--sandbox']);
    expect(gone.code).toBe(0);
    expect(gone.out).toMatch(/HTTP 200 cancelled/);
    expect(gone.out).toMatch(/Zoom meeting deleted {2}→ cancelled/);
    expect(gone.out).not.toContain('Join link');
    expect((await fetch(joinUrl)).status).toBe(404);

    const eventUuid = /for booking (\S+)/.exec(made.out)?.[1] ?? '';
    const shown = await cli(['bookings', 'show', eventUuid, '--sandbox']);
    expect(shown.out).toMatch(/Status\s+CANCELLED/);
    expect(shown.out).toMatch(/Meeting\s+\d+ \(deleted\)/);

    expect(await sandbox.stop()).toBe(0);
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
    const log = sandbox.run.lines();
    expect(log.length).toBeGreaterThan(3);
    expect(log.every((line) => line.mode === 'SANDBOX')).toBe(true);
    const logText = sandbox.run.stdout.join('');
    for (const secret of [signingKey, 'zak=', 'token=']) expect(logText).not.toContain(secret);
  });

  it('a reschedule supersedes the old booking and gives the new one its meeting', async () => {
    await startSandbox();
    await cli(['trigger', 'invitee.created', '--sandbox']);

    const moved = await cli(['trigger', 'reschedule', '--sandbox']);

    expect(moved.code).toBe(0);
    expect(moved.out).toMatch(/invitee\.canceled for booking[\s\S]*HTTP 200 superseded/);
    expect(moved.out).toMatch(
      /invitee\.created for booking[\s\S]*HTTP 200 created[\s\S]*Join link/,
    );
    const listed = await cli(['bookings', 'list', '--sandbox', '--json']);
    const statuses = (JSON.parse(listed.out) as { bookings: { status: string }[] }).bookings.map(
      (b) => b.status,
    );
    expect(statuses.sort()).toEqual(['active', 'superseded']);
  });

  it('a host the simulated Zoom does not know: the booking needs attention, and bookings show says what to fix', async () => {
    await startSandbox();

    const failed = await cli([
      'trigger',
      'invitee.created',
      '--sandbox',
      '--host',
      'someone@else.test',
    ]);

    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/HTTP 500 configuration/);
    expect(failed.out).toMatch(/Could not be served: host without zoom user {2}→ needs attention/);
    const shown = await cli(['bookings', 'show', 'test.invitee@example.com', '--sandbox']);
    expect(shown.out).toMatch(/Status\s+NEEDS ATTENTION/);
    expect(shown.out).toMatch(/Fix\s+Add the booking's host as a user of the Zoom account/);
  });

  it('each start begins with an empty bookings file', async () => {
    const first = await startSandbox();
    await cli(['trigger', 'invitee.created', '--sandbox']);
    await first.stop();
    await startSandbox();
    expect((await cli(['bookings', 'list', '--sandbox'])).out).toBe('No bookings match.\n');
  });
});

describe('the sandbox never touches a real service', () => {
  it('refuses to start next to real Zoom credentials', async () => {
    const run = cliRun({ SANDBOX_DIR: dir, ZOOM_CLIENT_ID: 'real-client-id' });
    expect(await main(['serve', '--sandbox', '--port', '0'], run.io)).toBe(1);
    expect(run.stderr.join('')).toContain(
      'The sandbox never runs next to real Zoom credentials, and ZOOM_CLIENT_ID is set.',
    );
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });

  it('uses its own Zoom, Calendly, store and key whatever the environment names, and turns off notifications to other hosts', async () => {
    const sandbox = await startSandbox(['serve', '--sandbox'], {
      ZOOM_API_URL: 'https://api.zoom.us/v2',
      ZOOM_OAUTH_URL: 'https://zoom.us/oauth/token',
      CALENDLY_API_URL: 'https://api.calendly.com',
      CALENDLY_TOKEN: 'real-calendly-token',
      CALENDLY_SIGNING_KEY: 'real-signing-key',
      UPSTASH_REDIS_REST_URL: 'https://real.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'real-upstash-token',
      STORE_PATH: join(dir, 'real.db'),
      NOTIFY_URLS: 'https://hooks.example.com/real,http://127.0.0.1:9/local',
      NOTIFY_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    const banner = sandbox.run.stderr.join('');
    expect(banner).toContain(
      'Notifications 1 target(s) not on this machine are off in the sandbox',
    );
    expect(banner).not.toContain('real-signing-key');
    const made = await cli(['trigger', 'invitee.created', '--sandbox']);
    expect(made.out).toMatch(/HTTP 200 created/);
    const shown = await cli(['bookings', 'list', '--sandbox', '--json']);
    const [booking] = (JSON.parse(shown.out) as { bookings: { eventUri: string }[] }).bookings;
    expect(booking?.eventUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendly\/scheduled_events\//);
    expect(existsSync(join(dir, 'real.db'))).toBe(false);
    expect(existsSync(join(dir, 'sandbox.db'))).toBe(true);
  });

  it('its HTTP goes to loopback only, whatever it is asked', async () => {
    const calls: string[] = [];
    const guarded = loopbackOnlyFetch(async (input) => {
      calls.push(String(input));
      return new Response('ok');
    });
    await expect(guarded('https://api.zoom.us/v2/users/me')).rejects.toThrow(
      'The sandbox does not call https://api.zoom.us.',
    );
    await expect(guarded('http://10.0.0.1/x')).rejects.toThrow(/does not call/);
    await guarded('http://127.0.0.1:1/x');
    await guarded('http://[::1]:1/x');
    await guarded('http://localhost:1/x');
    expect(calls).toHaveLength(3);
  });

  it('a second sandbox on the same files is refused while the first runs', async () => {
    const first = await startSandbox();
    const second = await cli(['serve', '--sandbox', '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`A sandbox is already running at ${first.url}`);
    expect((await cli(['trigger', 'invitee.created', '--sandbox'])).code).toBe(0);
  });

  it('trigger --sandbox without a running sandbox says how to start one', async () => {
    const run = await cli(['trigger', 'invitee.created', '--sandbox']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('No sandbox is running here');
    expect(run.err).toContain('npm start');
  });
});

describe('npm start: the sandbox when no Zoom account is configured, the real receiver otherwise', () => {
  it('with no ZOOM_* variable, --sandbox-if-unconfigured (npm start) starts the sandbox', async () => {
    const sandbox = await startSandbox(['serve', '--sandbox-if-unconfigured']);
    expect(sandbox.run.stderr.join('')).toMatch(
      /^SANDBOX {2}calendly-zoom is running as a sandbox/,
    );
  });

  it('with some Zoom credentials set, it fails listing the missing variables instead', async () => {
    const run = await cli(['serve', '--sandbox-if-unconfigured', '--port', '0'], {
      ZOOM_ACCOUNT_ID: 'acct',
    });
    expect(run.code).toBe(1);
    for (const name of ['CALENDLY_SIGNING_KEY', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET']) {
      expect(run.err).toContain(name);
    }
    expect(run.err).not.toContain('sandbox');
  });

  it('serve --help names the sandbox, the status page and their variables', async () => {
    const help = (await cli(['serve', '--help'])).out;
    for (const text of [
      '--sandbox',
      '--sandbox-if-unconfigured',
      'GET  /',
      'STATUS_TOKEN',
      'SANDBOX_DIR',
    ]) {
      expect(help).toContain(text);
    }
  });

  it('plain serve with no Zoom account lists what is missing and names the sandbox', async () => {
    const run = await cli(['serve', '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('ZOOM_ACCOUNT_ID is not set');
    expect(run.err).toContain('No Zoom account yet? `npx calendly-zoom serve --sandbox`');
  });
});
