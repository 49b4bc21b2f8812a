import { buildBlueprint } from './build-blueprint';
import { BOOKINGS_STRUCTURE, TOKEN_STRUCTURE } from './data-structures';
import { importChecklist } from './import-checklist';
import { resolveBlueprintOptions, type BlueprintOptionsInput } from './options';
import { validateBlueprint } from './validate-blueprint';

/** One generated file: a path relative to the output directory, and its exact text. */
export interface BlueprintFile {
  name: string;
  content: string;
}

export const BLUEPRINT_FILE = 'calendly-zoom.blueprint.json';
export const BOOKINGS_STRUCTURE_FILE = `data-structures/${BOOKINGS_STRUCTURE.name}.json`;
export const TOKEN_STRUCTURE_FILE = `data-structures/${TOKEN_STRUCTURE.name}.json`;
export const CHECKLIST_FILE = 'README.md';

/**
 * Everything `calendly-zoom blueprint` writes, in a fixed order with fixed formatting (2-space
 * JSON, trailing newline), so the same options always give byte-identical files.
 * Throws ConfigError for bad options, and Error if the generator produced an invalid blueprint.
 */
export function buildBlueprints(input: BlueprintOptionsInput = {}): { files: BlueprintFile[] } {
  const options = resolveBlueprintOptions(input);
  const blueprint = buildBlueprint(options);
  const problems = validateBlueprint(blueprint, { strict: true });
  if (problems.length > 0) {
    throw new Error(`The generated blueprint is invalid (a bug):\n- ${problems.join('\n- ')}`);
  }
  return {
    files: [
      { name: BLUEPRINT_FILE, content: jsonFile(blueprint) },
      { name: BOOKINGS_STRUCTURE_FILE, content: jsonFile(BOOKINGS_STRUCTURE) },
      { name: TOKEN_STRUCTURE_FILE, content: jsonFile(TOKEN_STRUCTURE) },
      {
        name: CHECKLIST_FILE,
        content: importChecklist(blueprint, options, {
          blueprint: BLUEPRINT_FILE,
          bookingsStructure: BOOKINGS_STRUCTURE_FILE,
          tokenStructure: TOKEN_STRUCTURE_FILE,
        }),
      },
    ],
  };
}

function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
