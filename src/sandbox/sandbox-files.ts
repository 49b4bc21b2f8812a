import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CalendlyZoomError } from '../errors';

/** Where a sandbox keeps its bookings and what `trigger --sandbox` needs to reach it. */
export interface SandboxFiles {
  dir: string;
  /** The sandbox's own SQLite file: never the real store. */
  storePath: string;
  /** The running sandbox's address and signing key (mode 0600), removed when it stops. */
  statePath: string;
}

export function sandboxFiles(dir: string): SandboxFiles {
  return { dir, storePath: join(dir, 'sandbox.db'), statePath: join(dir, 'sandbox.json') };
}

/** What a running sandbox tells `trigger --sandbox` and `bookings --sandbox`. */
export interface SandboxState {
  /** The receiver, e.g. http://127.0.0.1:3000. */
  url: string;
  webhookUrl: string;
  /** Generated at start; signs the sample deliveries. A sandbox key, worthless elsewhere. */
  signingKey: string;
  /** The sample bookings' event and invitee URIs are under it (a loopback address). */
  calendlyApiUrl: string;
  /** Zoom users of the simulated account: a booking hosted by anyone else needs attention. */
  zoomUsers: string[];
  pid: number;
  startedAt: string;
}

/** No sandbox has written its state here: `--sandbox` commands have nothing to talk to. */
export class SandboxNotRunningError extends CalendlyZoomError {
  readonly kind = 'sandbox_not_running';
}

export async function writeSandboxState(files: SandboxFiles, state: SandboxState): Promise<void> {
  await mkdir(files.dir, { recursive: true });
  await writeFile(files.statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeSandboxState(files: SandboxFiles): Promise<void> {
  await rm(files.statePath, { force: true });
}

/** The state a running sandbox wrote, or a SandboxNotRunningError saying how to start one. */
export async function readSandboxState(files: SandboxFiles): Promise<SandboxState> {
  if (!existsSync(files.statePath)) {
    throw new SandboxNotRunningError(
      `No sandbox is running here (${files.statePath} does not exist). Start one in another ` +
        'terminal with `npm start` (or `npx calendly-zoom serve --sandbox`), then try again.',
    );
  }
  const text = await readFile(files.statePath, 'utf8');
  try {
    const state = JSON.parse(text) as SandboxState;
    if (typeof state.webhookUrl === 'string' && typeof state.signingKey === 'string') return state;
  } catch {
    // Reported below, like a file of the wrong shape.
  }
  throw new SandboxNotRunningError(
    `${files.statePath} is not a sandbox state file; start the sandbox again to rewrite it.`,
  );
}
