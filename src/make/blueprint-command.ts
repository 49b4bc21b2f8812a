// `calendly-zoom blueprint`: argument parsing and the command itself, so the CLI wires it in one
// line: `blueprint: (argv, io) => runBlueprintCommand(argv, io)`.

import { join } from 'node:path';
import { CalendlyZoomError, ConfigError } from '../errors';
import { CHECKLIST_FILE } from './build-blueprints';
import { DEFAULT_BLUEPRINT_OPTIONS, TOPIC_PLACEHOLDERS, resolveBlueprintOptions } from './options';
import type { BlueprintOptionsInput } from './options';
import { writeBlueprints } from './write-blueprints';

/** The command line was wrong: exit code 2, with the usage text. */
export class BlueprintUsageError extends CalendlyZoomError {
  readonly kind = 'usage';
}

export interface BlueprintCommand {
  help: boolean;
  outDir: string;
  json: boolean;
  options: BlueprintOptionsInput;
}

export type ParsedBlueprintArgs =
  { ok: true; command: BlueprintCommand } | { ok: false; error: BlueprintUsageError };

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const DEFAULT_BLUEPRINT_DIR = 'blueprints';

export const BLUEPRINT_USAGE = `Usage: calendly-zoom blueprint [options]

Writes the Make scenario, the daily prune scenario, the data structure and the import checklist
(README.md, with the operations each path costs, measured by running the scenario offline).

Options:
  --out <dir>                    Output directory (default: ${DEFAULT_BLUEPRINT_DIR})
  --host <email|me|event-host>   Zoom user who hosts the meetings; event-host = the Calendly
                                 host's email (default: ${DEFAULT_BLUEPRINT_OPTIONS.zoomHost})
  --topic <template>             Meeting topic; placeholders ${TOPIC_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}
                                 (default: "${DEFAULT_BLUEPRINT_OPTIONS.topicTemplate}")
  --tolerance <seconds>          Signature window, long enough for Make's webhook queue
                                 (default: ${DEFAULT_BLUEPRINT_OPTIONS.signatureToleranceSeconds})
  --reschedule <recreate|move>   Delete and recreate the meeting, or move it (default: ${DEFAULT_BLUEPRINT_OPTIONS.reschedule})
  --native-zoom <skip|create>    Bookings that already have a Calendly-made Zoom link (default: ${DEFAULT_BLUEPRINT_OPTIONS.nativeZoom})

Filled into the blueprint so the import needs no manual steps (each left out is a step in the
checklist instead):
  --signing-key <key>            The Calendly subscription's signing key. A SECRET: it is written
                                 into the blueprint file in plain text (keep the file private);
                                 it is never printed.
  --zoom-account-id <id>         Zoom Server-to-Server OAuth Account ID
  --hook <id>                    Make id of the custom webhook (JSON pass-through and request
                                 headers on)
  --bookings-store <id>          Make id of the calendly-zoom-bookings data store
  --zoom-keychain <id>           Make id of the Basic auth keychain holding the Zoom Client ID
                                 and Client Secret (the id is not secret; the keychain is)
  --team-id <id>                 Make team id, written into the data structure file

  --json                         Print the written files as JSON
  -h, --help                     Show this help
`;

const VALUE_FLAGS = [
  'out',
  'host',
  'topic',
  'tolerance',
  'reschedule',
  'native-zoom',
  'signing-key',
  'zoom-account-id',
  'hook',
  'bookings-store',
  'zoom-keychain',
  'team-id',
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Make ids by flag: whole numbers, the way Make shows them. */
const ID_FLAGS = {
  hook: 'hook',
  'bookings-store': 'bookingsStore',
  'zoom-keychain': 'zoomKeychain',
} as const;

/** Parses `blueprint`'s arguments (without the command name). Never throws. */
export function parseBlueprintArgs(argv: readonly string[]): ParsedBlueprintArgs {
  const command: BlueprintCommand = {
    help: false,
    outDir: DEFAULT_BLUEPRINT_DIR,
    json: false,
    options: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      command.help = true;
      continue;
    }
    if (arg === '--json') {
      command.json = true;
      continue;
    }
    const match = /^--([\w-]+)(?:=(.*))?$/s.exec(arg);
    const flag = match?.[1];
    if (match === null || !isValueFlag(flag)) {
      return usage(
        arg.startsWith('-') ? `Unknown option ${arg}.` : `Unexpected argument "${arg}".`,
      );
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return usage(`--${flag} needs a value.`);
      i++;
    }
    const problem = apply(command, flag, value);
    if (problem !== undefined) return usage(problem);
  }
  return { ok: true, command };
}

/** Runs `calendly-zoom blueprint`. Exit codes: 0 written (or help), 1 failed, 2 bad usage. */
export async function runBlueprintCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseBlueprintArgs(argv);
  if (!parsed.ok) {
    io.stderr(`${parsed.error.message}\n\n${BLUEPRINT_USAGE}`);
    return 2;
  }
  const { command } = parsed;
  if (command.help) {
    io.stdout(BLUEPRINT_USAGE);
    return 0;
  }
  try {
    // Checked before anything is written, so bad options leave the directory untouched.
    resolveBlueprintOptions(command.options);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n\n${BLUEPRINT_USAGE}`);
      return 2;
    }
    throw error;
  }
  try {
    const written = await writeBlueprints(command.outDir, command.options);
    if (command.json) {
      io.stdout(`${JSON.stringify({ outDir: command.outDir, files: written }, null, 2)}\n`);
    } else {
      io.stdout(
        `Wrote ${written.length} files:\n${written.map((path) => `  ${path}\n`).join('')}` +
          `Next: follow ${join(command.outDir, CHECKLIST_FILE)} to import the scenario into Make.\n`,
      );
    }
    return 0;
  } catch (error) {
    io.stderr(
      `Could not write the blueprints: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

function apply(command: BlueprintCommand, flag: ValueFlag, value: string): string | undefined {
  switch (flag) {
    case 'out':
      if (value.trim() === '') return '--out needs a directory.';
      command.outDir = value;
      return undefined;
    case 'host':
      command.options.zoomHost = value;
      return undefined;
    case 'topic':
      command.options.topicTemplate = value;
      return undefined;
    case 'tolerance':
      if (!/^\d+$/.test(value))
        return `--tolerance must be a whole number of seconds; got "${value}".`;
      command.options.signatureToleranceSeconds = Number(value);
      return undefined;
    case 'reschedule':
      if (value !== 'recreate' && value !== 'move') {
        return `--reschedule must be "recreate" or "move"; got "${value}".`;
      }
      command.options.reschedule = value;
      return undefined;
    case 'native-zoom':
      if (value !== 'skip' && value !== 'create') {
        return `--native-zoom must be "skip" or "create"; got "${value}".`;
      }
      command.options.nativeZoom = value;
      return undefined;
    case 'signing-key':
      // Checked with the other options (resolveBlueprintOptions), never echoed back.
      command.options.signingKey = value;
      return undefined;
    case 'zoom-account-id':
      command.options.zoomAccountId = value;
      return undefined;
    case 'team-id':
      if (!/^\d+$/.test(value)) return `--team-id must be a whole number; got "${value}".`;
      command.options.teamId = Number(value);
      return undefined;
    case 'hook':
    case 'bookings-store':
    case 'zoom-keychain':
      if (!/^\d+$/.test(value))
        return `--${flag} must be a Make id (a whole number); got "${value}".`;
      command.options.makeIds = { ...command.options.makeIds, [ID_FLAGS[flag]]: Number(value) };
      return undefined;
  }
}

function isValueFlag(flag: string | undefined): flag is ValueFlag {
  return (VALUE_FLAGS as readonly (string | undefined)[]).includes(flag);
}

function usage(message: string): ParsedBlueprintArgs {
  return { ok: false, error: new BlueprintUsageError(message) };
}
