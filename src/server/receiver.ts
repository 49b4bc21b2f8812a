import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreConfig } from '../config';
import { readDelivery } from '../delivery';
import { handleInviteeEvent, type LifecycleDeps } from '../lifecycle';
import type { Logger } from '../log';
import { RequestTimeoutError } from './errors';
import { checkHealth } from './health';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './read-body';
import {
  methodNotAllowed,
  notFound,
  replyToError,
  replyToResult,
  sendReply,
  type Reply,
} from './respond';
import { startRealTimer, type StartTimer } from './timer';
import { withLogFields } from './with-log-fields';

export const WEBHOOK_PATH = '/webhooks/calendly';
export const HEALTH_PATH = '/healthz';

/**
 * Calendly stops reading after 15 s. The Zoom client's own deadline (10 s in the receiver) ends
 * most slow requests first; this is the backstop for everything else (a stalled store, a lifecycle
 * step that makes several Zoom calls), leaving margin for the answer to travel.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 12_000;

export interface ReceiverOptions {
  /** The lifecycle's store, Zoom client, clock, log and settings. /healthz pings the same store. */
  deps: LifecycleDeps;
  storeKind: StoreConfig['kind'];
  signingKeys: readonly string[];
  toleranceSeconds: number;
  log: Logger;
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
  /** Defaults to the lifecycle's clock. */
  now?: () => number;
  startTimer?: StartTimer;
  newRequestId?: () => string;
}

export interface Receiver {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once every request, and any work still running after its timeout, has finished. */
  idle(): Promise<void>;
}

/** A proxy's request id is kept for correlation, if it cannot smuggle anything into a log line. */
const FORWARDED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createReceiver(options: ReceiverOptions): Receiver {
  const { deps, log } = options;
  const now = options.now ?? deps.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const startTimer = options.startTimer ?? startRealTimer;
  const newRequestId = options.newRequestId ?? randomUUID;
  const pending = new Set<Promise<void>>();

  const track = (work: Promise<void>): void => {
    const settled = work.catch((error: unknown) => {
      log.error('the receiver failed to answer a request', {
        detail: error instanceof Error ? error.message : String(error),
      });
    });
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  async function route(req: IncomingMessage, path: string, requestLog: Logger): Promise<Reply> {
    const method = req.method ?? '';
    if (path === WEBHOOK_PATH) {
      return method === 'POST' ? webhook(req, requestLog) : methodNotAllowed(['POST']);
    }
    if (path === HEALTH_PATH) {
      return method === 'GET' || method === 'HEAD'
        ? checkHealth(deps.store, options.storeKind)
        : methodNotAllowed(['GET', 'HEAD']);
    }
    return notFound();
  }

  async function webhook(req: IncomingMessage, requestLog: Logger): Promise<Reply> {
    const rawBody = await readBody(req, maxBodyBytes);
    // readDelivery + handleInviteeEvent is handleDelivery in two steps, so that a failure in the
    // lifecycle is logged with the booking it was about.
    const read = readDelivery({
      rawBody,
      headers: req.headers,
      signingKeys: options.signingKeys,
      now: now(),
      toleranceSeconds: options.toleranceSeconds,
    });
    if (read.type === 'ignored') {
      return replyToResult({
        outcome: 'ignored',
        message: read.message,
        eventType: read.eventType,
      });
    }
    try {
      return replyToResult(await handleInviteeEvent(read.event, { ...deps, log: requestLog }));
    } catch (error) {
      const reply = replyToError(error, now());
      return { ...reply, fields: { eventUuid: read.event.eventUuid, ...reply.fields } };
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = now();
    const forwarded = req.headers['x-request-id'];
    const requestId =
      typeof forwarded === 'string' && FORWARDED_REQUEST_ID.test(forwarded)
        ? forwarded
        : newRequestId();
    // The path only: a query string may carry something nobody meant to log.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const requestLog = withLogFields(log, { requestId });
    res.setHeader('X-Request-Id', requestId);

    const work = route(req, path, requestLog).catch((error: unknown) => replyToError(error, now()));
    let timedOut = false;
    const answer = new Promise<Reply>((resolve) => {
      const cancel = startTimer(requestTimeoutMs, () => {
        timedOut = true;
        resolve(replyToError(new RequestTimeoutError(requestTimeoutMs), now()));
      });
      void work.then((reply) => {
        cancel();
        resolve(reply);
      });
    });

    track(
      answer.then((reply) => {
        // A body left unread (413, a timeout while reading) cannot be skipped on a kept-alive
        // connection: close it after the answer.
        if (!req.complete) res.setHeader('Connection', 'close');
        const clientGone = res.destroyed && !res.headersSent;
        sendReply(res, reply, requestId);
        if (reply.alert) requestLog.error(reply.alert, reply.fields);
        requestLog[reply.level]('request', {
          ...reply.fields,
          method: req.method,
          path,
          status: reply.status,
          durationMs: now() - started,
          ...(clientGone ? { clientGone } : {}),
        });
      }),
    );
    // Work that outlived its request still finishes (the lease keeps it safe); say how it ended.
    track(
      work.then((reply) => {
        if (!timedOut) return;
        requestLog[reply.level]('request finished after its timeout', {
          ...reply.fields,
          method: req.method,
          path,
          status: reply.status,
          durationMs: now() - started,
        });
      }),
    );
  }

  return {
    handle,
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
