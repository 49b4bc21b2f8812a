#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { ConfigError, CalendlyZoomError } from '../errors';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from './command';
import packageJson from '../../package.json';

/** Loaded on demand, so `calendly-zoom blueprint` never opens a store or loads the server. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  webhooks: async () => (await import('./commands/webhooks')).webhooksCommand,
  trigger: async () => (await import('./commands/trigger')).triggerCommand,
  reconcile: async () => (await import('./commands/reconcile')).reconcileCommand,
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  blueprint: async () => (await import('./commands/blueprint')).blueprintCommand,
  notifications: async () => (await import('./commands/notifications')).notificationsCommand,
  notify: async () => (await import('./commands/notify')).notifyCommand,
  bookings: async () => (await import('./commands/bookings')).bookingsCommand,
};

const USAGE = `calendly-zoom ${packageJson.version}: a Zoom meeting for every Calendly booking

Usage: calendly-zoom <command> [options]

Commands:
{commands}

Run \`calendly-zoom <command> --help\` for a command's options.
Configuration comes from the environment (see README.md, "Configuration").
Exit codes: 0 ok, 1 failure, 2 wrong usage.`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(await usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageJson.version}\n`);
    return EXIT_OK;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`Unknown command "${name}".\n\n${await usage()}`);
    return EXIT_USAGE;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, command, io);
  }
}

function report(error: unknown, command: Command, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`${error.message}\n\n${command.help}`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    io.stderr(`${error.message}\n`);
    return EXIT_FAILURE;
  }
  if (error instanceof CalendlyZoomError) {
    io.stderr(`${error.message}\n`);
    return EXIT_FAILURE;
  }
  io.stderr(`Unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILURE;
}

async function usage(): Promise<string> {
  const lines: string[] = [];
  // As wide as the longest name, so every summary starts in one column.
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  for (const [name, load] of Object.entries(COMMANDS)) {
    lines.push(`  ${name.padEnd(width)}  ${(await load()).summary}`);
  }
  return `${USAGE.replace('{commands}', lines.join('\n'))}\n`;
}

if (require.main === module) {
  // A .env beside the working directory is the documented way to configure a local run; real
  // environment variables still win (loadEnvFile never overrides one that is set).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => controller.abort(signal));
  }
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    now: Date.now,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Unexpected error: ${String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
