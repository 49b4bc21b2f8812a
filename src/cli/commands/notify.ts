import { generateWebhookSecret } from '../../notify/secret';
import { EXIT_OK, parseCommandArgs, UsageError, type Command } from '../command';
import { printJson } from '../format';

const HELP = `Usage: calendly-zoom notify secret [--json]

Prints a new signing secret for the receiver's notifications: "whsec_" and 32 random bytes in
base64, the Standard Webhooks form. Put it in NOTIFY_SECRET for \`calendly-zoom serve\` and give
the same value to every consumer of NOTIFY_URLS, which verifies notifications with it.

Options:
  --json       {"secret": "whsec_…"} on stdout
  -h, --help   Show this help
`;

export const notifyCommand: Command = {
  name: 'notify',
  summary: 'Make a new whsec_ signing secret for NOTIFY_SECRET (notify secret)',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'secret') {
      throw new UsageError(
        sub === undefined ? 'Say what to do: notify secret.' : `Unknown notify command "${sub}".`,
      );
    }
    const { values } = parseCommandArgs({
      args: rest,
      options: { json: { type: 'boolean', default: false } },
    });
    // Printing the secret is this command's whole point; nothing else ever prints it.
    const secret = generateWebhookSecret();
    if (values.json) printJson(io, { secret });
    else io.stdout(`${secret}\n`);
    return EXIT_OK;
  },
};
