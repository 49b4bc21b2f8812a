import { runCli } from './cli-test-kit';

describe('--help', () => {
  it.each([
    ['webhooks', /calendly-zoom webhooks subscribe --url URL/],
    ['trigger', /^Usage: calendly-zoom trigger <invitee\.created\|invitee\.canceled> --url URL/],
    ['reconcile', /^Usage: calendly-zoom reconcile \[--since ISO\] \[--until ISO\]/],
    ['doctor', /^Usage: calendly-zoom doctor \[--url URL\] \[--json\]/],
    ['bookings', /^Usage:\n {2}calendly-zoom bookings list \[--status/],
  ])('%s --help prints its usage and exits 0, reading no configuration', async (command, usage) => {
    const run = await runCli([command, '--help'], { env: {} });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(usage);
    expect(run.stderr).toBe('');
  });

  it('the command list names webhooks, trigger, reconcile, doctor and bookings with a summary each', async () => {
    const run = await runCli(['--help']);

    for (const command of ['webhooks', 'trigger', 'reconcile', 'doctor', 'bookings']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S.+$`, 'm'));
    }
  });
});
