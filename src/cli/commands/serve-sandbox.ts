import { createJsonLogger } from '../../log';
import { startSandbox, type RunningSandbox } from '../../sandbox/start-sandbox';
import { EXIT_OK, type CliIo } from '../command';
import { closeWhenStopped } from '../stop-requested';

/** Every JSON log line of a sandbox carries it, so no line can be mistaken for production's. */
const SANDBOX_LOG_FIELDS = { mode: 'SANDBOX' } as const;

/**
 * `serve --sandbox` (and `npm start` with no Zoom account): the sandbox until SIGINT/SIGTERM.
 * JSON log lines on stdout as `serve` writes them; the banner, for the person at the terminal, on
 * stderr, every line of it starting with SANDBOX.
 */
export async function serveSandbox(
  options: { port?: number; host?: string },
  io: CliIo,
): Promise<number> {
  const log = createJsonLogger((line) => io.stdout(`${line}\n`), SANDBOX_LOG_FIELDS, io.now);
  const sandbox = await startSandbox({
    env: io.env,
    log,
    port: options.port,
    host: options.host,
    now: io.now,
    fetch: io.fetch,
  });
  log.info('sandbox receiver listening', {
    url: sandbox.receiver.url,
    webhookUrl: sandbox.receiver.webhookUrl,
    zoom: sandbox.zoom.url,
    storePath: sandbox.files.storePath,
  });
  io.stderr(banner(sandbox));

  await closeWhenStopped(
    io.signal,
    log,
    { inFlight: () => sandbox.receiver.inFlight(), close: () => sandbox.close() },
    { stopped: 'sandbox stopped' },
  );
  return EXIT_OK;
}

function banner(sandbox: RunningSandbox): string {
  const { state, files } = sandbox;
  const lines = [
    'calendly-zoom is running as a sandbox: a simulated Zoom on this machine, a signing key',
    'made for this run, and its own bookings file. Nothing here reaches Zoom or Calendly.',
    '',
    `Receiver      ${state.webhookUrl}`,
    `Signing key   ${state.signingKey}  (this run's; sample deliveries are signed with it)`,
    `Zoom users    ${state.zoomUsers.join(', ')}  (a booking hosted by anyone else needs attention)`,
    `Status page   ${sandbox.statusLoginUrl}`,
    ...(sandbox.statusTokenGenerated ? [] : ['              (the token is your STATUS_TOKEN)']),
    `Bookings      ${files.storePath}  (emptied at each start)`,
    ...(sandbox.notificationsOff > 0
      ? [
          `Notifications ${sandbox.notificationsOff} target(s) not on this machine are off in the sandbox`,
        ]
      : []),
    '',
    'Try it, in another terminal:',
    '  npx calendly-zoom trigger invitee.created --sandbox     a booking gets its meeting',
    '  npx calendly-zoom trigger reschedule --sandbox          it moves to a new time',
    '  npx calendly-zoom trigger invitee.canceled --sandbox    it is cancelled',
    '  npx calendly-zoom trigger invitee.created --sandbox --host someone@else.test',
    '                                                          a host with no Zoom user',
    '  npx calendly-zoom bookings list --sandbox               what happened to each',
    '',
    'When you have your accounts: README.md, "When you have your accounts". Ctrl-C stops.',
  ];
  return lines.map((line) => `SANDBOX  ${line}`.trimEnd()).join('\n') + '\n';
}
