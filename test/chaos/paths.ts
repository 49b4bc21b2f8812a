import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found from here upwards: this file runs from test/chaos under jest and from
 * dist/chaos/test/chaos under `npm run chaos`.
 */
export const PROJECT_ROOT = findRoot(__dirname);

/** The built CLI the chaos run starts as the receiver. */
export const RECEIVER_MAIN = join(PROJECT_ROOT, 'dist/src/cli/main.js');

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src/cli/main.ts')))
      return dir;
    if (dirname(dir) === dir) throw new Error(`no calendly-zoom checkout above ${from}`);
  }
}
