import type { AppConfig, StoreConfig } from '../config';
import { createFetchHttpClient, type HttpClient } from '../http';
import type { Logger } from '../log';
import { startNotifier, type NotifierOptions } from '../notify/start-notifier';
import { createRuntime, type Runtime } from '../runtime';
import { ShuttingDownError } from './errors';
import { openFileLimit } from './open-file-limit';
import { createReceiver, WEBHOOK_PATH } from './receiver';
import { startMaintenanceLoop } from './maintenance-loop';
import { createRefusalLog } from './refusal-log';
import { startHttpServer, type ConnectionLimits } from './start-http-server';
import { startRealTimer, type StartTimer } from '../timer';
import { statusPagesFor } from './status/status-pages-for';

/** Zoom's budget per operation: the answer must reach Calendly within its 15 s read timeout. */
export const RECEIVER_ZOOM_DEADLINE_MS = 10_000;
/** Loopback only unless asked: the receiver is meant to sit behind a tunnel or reverse proxy. */
export const DEFAULT_HOST = '127.0.0.1';
/** Descriptors kept free beyond the connection cap: the store, Zoom and Upstash sockets, stdio. */
const SPARE_DESCRIPTORS = 64;

export interface StartReceiverOptions {
  log: Logger;
  /** Defaults to config.port (PORT). 0 picks a free port. */
  port?: number;
  host?: string;
  /** The engine's HTTP, as given: tests hand in fakes, which shutdown leaves alone. */
  http?: HttpClient;
  /** Otherwise Zoom is called with this fetch (default global fetch), aborted at shutdown's bound. */
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  zoomDeadlineMs?: number;
  requestTimeoutMs?: number;
  maxBodyBytes?: number;
  /** The following default to config.receiver (RECEIVER_* variables). */
  maxBufferedBytes?: number;
  shutdownTimeoutMs?: number;
  limits?: Partial<ConnectionLimits>;
  startTimer?: StartTimer;
  /** Tuning of the notifications dispatcher (tests, benches). */
  notify?: Omit<NotifierOptions, 'log'>;
  /** `serve --sandbox`: the status page says so on every page. */
  sandbox?: boolean;
}

export interface RunningReceiver {
  url: string;
  /** Where Calendly must deliver: `url` + /webhooks/calendly. */
  webhookUrl: string;
  host: string;
  port: number;
  storeKind: StoreConfig['kind'];
  runtime: Runtime;
  /** Requests whose work has not settled yet. */
  inFlight(): number;
  /**
   * Graceful shutdown within config.receiver.shutdownTimeoutMs: stop accepting, close idle
   * connections, let requests in flight (and work that outlived its request) finish; at the bound,
   * answer what is left 503, log each abandoned request with its booking, abort its Zoom calls and
   * cut its connection. Then close the store. Safe to call twice.
   */
  close(): Promise<void>;
}

/** The self-hosted receiver on validated config: runtime, request handler and HTTP server. */
export async function startReceiver(
  config: AppConfig,
  options: StartReceiverOptions,
): Promise<RunningReceiver> {
  const { log } = options;
  const startTimer = options.startTimer ?? startRealTimer;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? config.receiver.shutdownTimeoutMs;
  const limits: Partial<ConnectionLimits> = {
    maxConnections: config.receiver.maxConnections,
    headersTimeoutMs: config.receiver.headersTimeoutMs,
    ...options.limits,
  };
  const shutdownSignal = new AbortController();
  const runtime = createRuntime(config, {
    log,
    http: options.http ?? createFetchHttpClient(abortable(options.fetch, shutdownSignal.signal)),
    now: options.now,
    sleep: options.sleep,
    zoomDeadlineMs: options.zoomDeadlineMs ?? RECEIVER_ZOOM_DEADLINE_MS,
  });
  let notifier;
  try {
    // Stops within the shutdown bound; a send cut off there is resent after restart.
    notifier = startNotifier(config.notify, runtime.store.outbox, {
      log,
      now: options.now,
      ...options.notify,
      dispatcher: { closeTimeoutMs: shutdownTimeoutMs, ...options.notify?.dispatcher },
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const refusals = createRefusalLog({ log, startTimer });
  const receiverDeps = { ...runtime.lifecycle, store: notifier.watch(runtime.lifecycle.store) };
  const receiver = createReceiver({
    deps: receiverDeps,
    storeKind: config.store.kind,
    signingKeys: config.calendly.signingKeys,
    toleranceSeconds: config.signatureToleranceSeconds,
    calendlyApiUrl: config.calendly.apiUrl,
    log,
    maxBodyBytes: options.maxBodyBytes,
    maxBufferedBytes: options.maxBufferedBytes ?? config.receiver.maxBufferedBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    refusals,
    startTimer,
    pages: statusPagesFor(config, runtime, {
      sandbox: options.sandbox,
      now: options.now,
      startTimer,
    }),
  });
  let server;
  try {
    server = await startHttpServer(receiver.handle, {
      port: options.port ?? config.port,
      host: options.host ?? DEFAULT_HOST,
      log,
      limits,
      refusals,
      startTimer,
    });
  } catch (error) {
    await notifier.close();
    await runtime.close();
    throw error;
  }
  warnIfCapAboveFileLimit(limits.maxConnections, log);
  const maintenance = startMaintenanceLoop(
    { ...runtime.lifecycle, zoom: runtime.zoom, store: receiverDeps.store },
    config.maintenance,
    { log, startTimer },
  );

  let closing: Promise<void> | null = null;
  const shutDown = async (): Promise<void> => {
    const graceful = Promise.all([
      server.close(),
      receiver.idle(),
      notifier.close(),
      maintenance.close(),
    ]);
    const boundReached = await new Promise<boolean>((resolve) => {
      const cancel = startTimer(shutdownTimeoutMs, () => resolve(true));
      void graceful.then(() => {
        cancel();
        resolve(false);
      });
    });
    if (boundReached) {
      const inFlight = receiver.abandon();
      log.warn('shutdown reached its bound: work still in flight is abandoned', {
        inFlight,
        shutdownTimeoutMs,
      });
      shutdownSignal.abort(new ShuttingDownError());
      // The 503s of abandon() are written on the next turn; then nothing is left to wait for.
      await new Promise<void>((resolve) => setImmediate(resolve));
      server.closeAllConnections();
      await server.close();
    }
    await runtime.close();
  };

  return {
    url: server.url,
    webhookUrl: `${server.url}${WEBHOOK_PATH}`,
    host: server.host,
    port: server.port,
    storeKind: config.store.kind,
    runtime,
    inFlight: () => receiver.inFlight(),
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** fetch whose every call also ends when `signal` aborts: no Zoom call outlives shutdown. */
function abortable(fetchImpl: typeof fetch | undefined, signal: AbortSignal): typeof fetch {
  return (input, init) =>
    // Looked up per call, like createFetchHttpClient does, so a fetch patched later is used.
    (fetchImpl ?? globalThis.fetch)(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    });
}

function warnIfCapAboveFileLimit(maxConnections: number | undefined, log: Logger): void {
  const limit = openFileLimit();
  if (limit === null || maxConnections === undefined) return;
  if (maxConnections + SPARE_DESCRIPTORS <= limit) return;
  log.warn(
    'RECEIVER_MAX_CONNECTIONS is too close to the open-file limit: raise `ulimit -n` or lower it',
    { maxConnections, openFileLimit: limit, spareNeeded: SPARE_DESCRIPTORS },
  );
}
