import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT as ROOT, RECEIVER_MAIN } from './paths';

/**
 * The chaos run needs the receiver built (it runs `node dist/src/cli/main.js serve`). CI builds
 * first; on a fresh clone, or after src/ changed, `npm test` builds here, once, as `npm run build`
 * does. Returns how long the build took (0 when dist/ was current).
 */
export function ensureBuilt(): number {
  if (
    existsSync(RECEIVER_MAIN) &&
    newestMtime(join(ROOT, 'src')) <= statSync(RECEIVER_MAIN).mtimeMs
  ) {
    return 0;
  }
  const started = performance.now();
  try {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  } catch (error) {
    // tsc still emits on a type error elsewhere (someone's work in progress); only a missing
    // receiver stops the run.
    if (!existsSync(RECEIVER_MAIN)) throw error;
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts/copy-assets.js')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  return performance.now() - started;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
