import type { AppConfig, StoreConfig } from '../config';
import type { HttpClient } from '../http';
import type { Logger } from '../log';
import { createRuntime, type Runtime } from '../runtime';
import { createReceiver, WEBHOOK_PATH } from './receiver';
import { DEFAULT_DRAIN_TIMEOUT_MS, startHttpServer } from './start-http-server';
import { startRealTimer, type StartTimer } from './timer';

/** Zoom's budget per operation: the answer must reach Calendly within its 15 s read timeout. */
export const RECEIVER_ZOOM_DEADLINE_MS = 10_000;
/** Loopback only unless asked: the receiver is meant to sit behind a tunnel or reverse proxy. */
export const DEFAULT_HOST = '127.0.0.1';

export interface StartReceiverOptions {
  log: Logger;
  /** Defaults to config.port (PORT). 0 picks a free port. */
  port?: number;
  host?: string;
  http?: HttpClient;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  zoomDeadlineMs?: number;
  requestTimeoutMs?: number;
  maxBodyBytes?: number;
  drainTimeoutMs?: number;
  startTimer?: StartTimer;
}

export interface RunningReceiver {
  url: string;
  /** Where Calendly must deliver: `url` + /webhooks/calendly. */
  webhookUrl: string;
  host: string;
  port: number;
  storeKind: StoreConfig['kind'];
  runtime: Runtime;
  /**
   * Graceful shutdown: stop accepting, let requests in flight (and work that outlived its
   * request) finish, then close the store. Safe to call twice.
   */
  close(): Promise<void>;
}

/** The self-hosted receiver on validated config: runtime, request handler and HTTP server. */
export async function startReceiver(
  config: AppConfig,
  options: StartReceiverOptions,
): Promise<RunningReceiver> {
  const { log } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const startTimer = options.startTimer ?? startRealTimer;
  const runtime = createRuntime(config, {
    log,
    http: options.http,
    now: options.now,
    sleep: options.sleep,
    zoomDeadlineMs: options.zoomDeadlineMs ?? RECEIVER_ZOOM_DEADLINE_MS,
  });
  const receiver = createReceiver({
    deps: runtime.lifecycle,
    storeKind: config.store.kind,
    signingKeys: config.calendly.signingKeys,
    toleranceSeconds: config.signatureToleranceSeconds,
    log,
    maxBodyBytes: options.maxBodyBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    startTimer,
  });
  let server;
  try {
    server = await startHttpServer(receiver.handle, {
      port: options.port ?? config.port,
      host: options.host ?? DEFAULT_HOST,
      log,
      drainTimeoutMs,
      startTimer,
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }

  let closing: Promise<void> | null = null;
  const shutDown = async (): Promise<void> => {
    await server.close();
    // Bounded like the requests: a lease left behind expires and a redelivery recovers it.
    const gaveUp = await new Promise<boolean>((resolve) => {
      const cancel = startTimer(drainTimeoutMs, () => resolve(true));
      void receiver.idle().then(() => {
        cancel();
        resolve(false);
      });
    });
    if (gaveUp) log.warn('closing the store while work that outlived its request still runs');
    await runtime.close();
  };

  return {
    url: server.url,
    webhookUrl: `${server.url}${WEBHOOK_PATH}`,
    host: server.host,
    port: server.port,
    storeKind: config.store.kind,
    runtime,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}
