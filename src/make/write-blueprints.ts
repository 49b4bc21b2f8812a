import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildBlueprints } from './build-blueprints';
import type { BlueprintOptionsInput } from './options';

/**
 * Writes the generated files under `outDir` (created if missing), overwriting what is there.
 * Returns the paths written, in order. Regenerating with the same options changes no byte.
 */
export async function writeBlueprints(
  outDir: string,
  options: BlueprintOptionsInput = {},
): Promise<string[]> {
  const { files } = await buildBlueprints(options);
  const written: string[] = [];
  for (const file of files) {
    const path = join(outDir, file.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, 'utf8');
    written.push(path);
  }
  return written;
}
