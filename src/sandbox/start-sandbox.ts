import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { sandboxDir, type Env } from '../config';
import type { Logger } from '../log';
import { startReceiver, type RunningReceiver } from '../server/start-receiver';
import { loopbackOnlyFetch, sandboxConfig, SandboxRefusedError } from './sandbox-config';
import {
  readSandboxState,
  removeSandboxState,
  sandboxFiles,
  writeSandboxState,
  type SandboxFiles,
  type SandboxState,
} from './sandbox-files';
import { startZoomSimulator, type ZoomSimulator } from './zoom-simulator';

/** The simulated account's one Zoom user: bookings hosted by anyone else need attention. */
const SANDBOX_HOST = 'host@sandbox.test';

export interface StartSandboxOptions {
  env: Env;
  /** The receiver's JSON log; every line says SANDBOX (see sandboxLogger). */
  log: Logger;
  port?: number;
  host?: string;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface RunningSandbox {
  receiver: RunningReceiver;
  zoom: ZoomSimulator;
  state: SandboxState;
  files: SandboxFiles;
  /** Opens the status page in a browser: carries the token, so it is printed, never logged. */
  statusLoginUrl: string;
  /** True when the token was made for this run (the user set no STATUS_TOKEN). */
  statusTokenGenerated: boolean;
  /** Notification targets off this machine that the sandbox turned off. */
  notificationsOff: number;
  close(): Promise<void>;
}

/**
 * `calendly-zoom serve --sandbox`: the real receiver, lifecycle and store, against a simulated
 * Zoom on loopback, with a signing key made for the run and a fresh SQLite file of its own. It
 * refuses to start next to real Zoom credentials (sandboxConfig), and its HTTP goes to loopback
 * only, so nothing it does can reach Zoom, Calendly or anyone's inbox.
 */
export async function startSandbox(options: StartSandboxOptions): Promise<RunningSandbox> {
  const files = sandboxFiles(sandboxDir(options.env));
  await refuseIfRunning(files, options.fetch);
  const zoom = await startZoomSimulator({
    users: [SANDBOX_HOST],
    linksToSelf: true,
    credentials: { accountId: 'sandbox-account', clientId: 'sandbox-client' },
  });
  let receiver: RunningReceiver | null = null;
  try {
    const signingKey = `sandbox_${randomBytes(24).toString('hex')}`;
    const userToken = options.env.STATUS_TOKEN?.trim();
    const statusToken = userToken || randomBytes(24).toString('hex');
    const { config, notificationsOff } = sandboxConfig(options.env, {
      zoom: { apiUrl: zoom.apiUrl, oauthUrl: zoom.oauthUrl, credentials: zoom.credentials },
      calendlyApiUrl: `${zoom.url}/calendly`,
      signingKey,
      storePath: files.storePath,
      statusToken,
    });
    // Each run starts empty: the simulated Zoom keeps its meetings in memory only, and bookings
    // left from a previous run would point at meetings it no longer has.
    await Promise.all(
      ['', '-wal', '-shm'].map((end) => rm(`${files.storePath}${end}`, { force: true })),
    );
    const guardedFetch = loopbackOnlyFetch(options.fetch);
    const running = await startReceiver(config, {
      log: options.log,
      port: options.port,
      host: options.host,
      fetch: guardedFetch,
      now: options.now,
      notify: { fetch: guardedFetch },
      sandbox: true,
    });
    receiver = running;
    const state: SandboxState = {
      url: running.url,
      webhookUrl: running.webhookUrl,
      signingKey,
      calendlyApiUrl: config.calendly.apiUrl,
      zoomUsers: [SANDBOX_HOST],
      pid: process.pid,
      startedAt: new Date((options.now ?? Date.now)()).toISOString(),
    };
    await writeSandboxState(files, state);
    let closing: Promise<void> | null = null;
    return {
      receiver: running,
      zoom,
      state,
      files,
      statusLoginUrl: `${running.url}/login?token=${encodeURIComponent(statusToken)}`,
      statusTokenGenerated: !userToken,
      notificationsOff,
      close() {
        closing ??= (async () => {
          await running.close();
          await zoom.close();
          await removeSandboxState(files);
        })();
        return closing;
      },
    };
  } catch (error) {
    await receiver?.close();
    await zoom.close();
    throw error;
  }
}

/** A second sandbox on the same files would empty the bookings of the one already running. */
async function refuseIfRunning(files: SandboxFiles, fetchImpl: typeof fetch | undefined) {
  const running = await readSandboxState(files).catch(() => null);
  if (running === null) return;
  const answers = await (fetchImpl ?? globalThis.fetch)(`${running.url}/healthz`, {
    signal: AbortSignal.timeout(1_000),
  }).then(
    (response) => response.ok,
    () => false,
  );
  if (answers) {
    throw new SandboxRefusedError(
      `A sandbox is already running at ${running.url} (process ${running.pid}); stop it first ` +
        '(Ctrl-C in its terminal), or give this one another SANDBOX_DIR.',
    );
  }
}
