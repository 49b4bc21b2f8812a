import { buildBlueprint } from './build-blueprint';
import { buildPruneBlueprint } from './build-prune-blueprint';
import { BOOKINGS_STRUCTURE, dataStructureFile } from './data-structures';
import { importChecklist } from './import-checklist';
import { measureOperations } from './measure-operations';
import { resolveBlueprintOptions, type BlueprintOptionsInput } from './options';
import { validateBlueprint } from './validate-blueprint';
import type { MakeBlueprint } from './blueprint-types';

/** One generated file: a path relative to the output directory, and its exact text. */
export interface BlueprintFile {
  name: string;
  content: string;
}

export const BLUEPRINT_FILE = 'calendly-zoom.blueprint.json';
export const PRUNE_BLUEPRINT_FILE = 'calendly-zoom-prune.blueprint.json';
export const BOOKINGS_STRUCTURE_FILE = `data-structures/${BOOKINGS_STRUCTURE.name}.json`;
export const CHECKLIST_FILE = 'README.md';

/**
 * Everything `calendly-zoom blueprint` writes, in a fixed order with fixed formatting (2-space
 * JSON, trailing newline), so the same options always give byte-identical files. The README's
 * operations come from running the scenario in the simulator.
 * Throws ConfigError for bad options, and Error if the generator produced an invalid blueprint.
 */
export async function buildBlueprints(
  input: BlueprintOptionsInput = {},
): Promise<{ files: BlueprintFile[] }> {
  const options = resolveBlueprintOptions(input);
  const blueprint = checked(buildBlueprint(options));
  const prune = checked(buildPruneBlueprint(options));
  const measurement = await measureOperations(options);
  return {
    files: [
      { name: BLUEPRINT_FILE, content: jsonFile(blueprint) },
      { name: PRUNE_BLUEPRINT_FILE, content: jsonFile(prune) },
      {
        name: BOOKINGS_STRUCTURE_FILE,
        content: jsonFile(dataStructureFile(BOOKINGS_STRUCTURE, options.teamId)),
      },
      {
        name: CHECKLIST_FILE,
        content: importChecklist({
          blueprint,
          prune,
          options,
          measurement,
          files: {
            blueprint: BLUEPRINT_FILE,
            prune: PRUNE_BLUEPRINT_FILE,
            bookingsStructure: BOOKINGS_STRUCTURE_FILE,
          },
        }),
      },
    ],
  };
}

function checked(blueprint: MakeBlueprint): MakeBlueprint {
  const problems = validateBlueprint(blueprint, { strict: true });
  if (problems.length > 0) {
    throw new Error(`The generated blueprint is invalid (a bug):\n- ${problems.join('\n- ')}`);
  }
  return blueprint;
}

function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
