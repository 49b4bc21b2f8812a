import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Env } from '../config';
import { CalendlyZoomError } from '../errors';

/** What a command may touch of the outside world; tests hand in fakes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Env;
  /** Progress bars and colours only on a terminal. */
  isTTY: boolean;
  now(): number;
  /** For the HTTP the command makes (defaults to global fetch). */
  fetch?: typeof fetch;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop gracefully. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The whole `--help` text. */
  help: string;
  /** Resolves to the exit code: 0 ok, 1 failure, 2 usage. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** The command line is wrong: exit 2 with the command's help. */
export class UsageError extends CalendlyZoomError {
  readonly kind = 'usage';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * node:util parseArgs (strict), with its errors turned into UsageError, so every command parses
 * the same way. `--help` never reaches a command: main() answers it.
 */
export function parseCommandArgs<C extends ParseArgsConfig>(
  config: C,
): ReturnType<typeof parseArgs<C>> {
  try {
    // strict is parseArgs' default: unknown options and stray positionals are usage errors.
    return parseArgs(config);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
}

type Subcommand = (argv: string[], io: CliIo) => Promise<number>;

/**
 * `calendly-zoom <command> <subcommand> …`: runs the named subcommand, or says which there are
 * (usage error, exit 2).
 */
export function runSubcommand(
  command: string,
  argv: string[],
  io: CliIo,
  subcommands: Record<string, Subcommand>,
): Promise<number> {
  const [name, ...rest] = argv;
  const names = Object.keys(subcommands);
  const choices = `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
  if (name === undefined) throw new UsageError(`Say what to do: ${command} ${choices}.`);
  const subcommand = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!subcommand) throw new UsageError(`Unknown ${command} command "${name}": use ${choices}.`);
  return subcommand(rest, io);
}

/** An ISO 8601 date or date-time (it must start with YYYY-MM-DD), in ms; null when it is not one. */
export function parseIsoInstant(text: string): number | null {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** `--limit N`: a whole number of at least 1, `fallback` when not given. */
export function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a whole number of at least 1, got "${text}".`);
  }
  return limit;
}
