import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_RECEIVER_CONFIG, type StoreConfig } from '../config';
import { readDelivery, type ReadDelivery } from '../delivery';
import { handleInviteeEvent, type LifecycleDeps } from '../lifecycle';
import type { Logger } from '../log';
import { createByteBudget } from './byte-budget';
import { RequestTimeoutError, ShuttingDownError } from './errors';
import { checkHealth } from './health';
import { DEFAULT_MAX_BODY_BYTES, discardBody, readBody } from './read-body';
import { createRefusalLog, type RefusalLog } from './refusal-log';
import {
  methodNotAllowed,
  notFound,
  replyToError,
  replyToResult,
  sendReply,
  type Reply,
} from './respond';
import type { StatusPages } from './status/status-pages';
import { startRealTimer, type StartTimer } from '../timer';
import { withLogFields } from './with-log-fields';

export const WEBHOOK_PATH = '/webhooks/calendly';
export const HEALTH_PATH = '/healthz';

/**
 * Calendly stops reading after 15 s. The Zoom client's own deadline (10 s in the receiver) ends
 * most slow requests first; this is the backstop for everything else (a stalled store, a lifecycle
 * step that makes several Zoom calls, a body that arrives too slowly), leaving margin for the
 * answer to travel.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 12_000;
/**
 * After a 413 the rest of the body is read and dropped, up to these bounds, so the client gets its
 * answer instead of a reset; beyond them (a client that never stops) the connection is cut.
 */
export const DISCARD_AFTER_413 = { maxBytes: 16 * 1024 * 1024, maxMs: 2_000 } as const;

export interface ReceiverOptions {
  /** The lifecycle's store, Zoom client, clock, log and settings. /healthz pings the same store. */
  deps: LifecycleDeps;
  storeKind: StoreConfig['kind'];
  signingKeys: readonly string[];
  toleranceSeconds: number;
  log: Logger;
  /** CALENDLY_API_URL: event and invitee URIs must be on it. Default https://api.calendly.com. */
  calendlyApiUrl?: string;
  maxBodyBytes?: number;
  /** Bytes of request bodies held at once across all requests; beyond it, 503 receiver_busy. */
  maxBufferedBytes?: number;
  requestTimeoutMs?: number;
  /** Shared with the HTTP server, so every refusal is counted in one rate-limited line. */
  refusals?: RefusalLog;
  /** Defaults to the lifecycle's clock. */
  now?: () => number;
  startTimer?: StartTimer;
  newRequestId?: () => string;
  /** The operator's pages at / (STATUS_TOKEN); without them those paths are 404 like any other. */
  pages?: StatusPages;
}

export interface Receiver {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once every request, and any work still running after its timeout, has finished. */
  idle(): Promise<void>;
  /** Requests whose work has not settled, including work that outlived its answer. */
  inFlight(): number;
  /**
   * The end of shutdown's grace period: every request still waiting is answered 503 at once (so
   * Calendly redelivers it), and each unsettled one is logged with its booking. Returns how many.
   */
  abandon(): number;
}

/** A proxy's request id is kept for correlation, if it cannot smuggle anything into a log line. */
const FORWARDED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the receiver knows about one request while its work runs. */
interface RequestState {
  requestId: string;
  path: string;
  /** The booking, once the delivery is verified and parsed. */
  eventUuid: string | null;
  stage: 'reading_body' | 'working';
  abandoned: boolean;
  /** Answers 503 shutting_down if the request has no answer yet. */
  answerNow(): void;
}

export function createReceiver(options: ReceiverOptions): Receiver {
  const { deps, log } = options;
  const now = options.now ?? deps.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const startTimer = options.startTimer ?? startRealTimer;
  const newRequestId = options.newRequestId ?? randomUUID;
  const refusals = options.refusals ?? createRefusalLog({ log, startTimer });
  const budget = createByteBudget(
    options.maxBufferedBytes ?? DEFAULT_RECEIVER_CONFIG.maxBufferedBytes,
  );
  const pending = new Set<Promise<void>>();
  const active = new Set<RequestState>();

  const track = (work: Promise<void>): void => {
    const settled = work.catch((error: unknown) => {
      log.error('the receiver failed to answer a request', {
        detail: error instanceof Error ? error.message : String(error),
      });
    });
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };

  async function route(
    req: IncomingMessage,
    state: RequestState,
    requestLog: Logger,
  ): Promise<Reply> {
    const method = req.method ?? '';
    if (state.path === WEBHOOK_PATH) {
      return method === 'POST' ? webhook(req, state, requestLog) : methodNotAllowed(['POST']);
    }
    if (state.path === HEALTH_PATH) {
      return method === 'GET' || method === 'HEAD'
        ? checkHealth(deps.store, options.storeKind)
        : methodNotAllowed(['GET', 'HEAD']);
    }
    if (options.pages?.handles(state.path)) return options.pages.route(req, state.path);
    return notFound();
  }

  async function webhook(
    req: IncomingMessage,
    state: RequestState,
    requestLog: Logger,
  ): Promise<Reply> {
    const read = await readVerified(req);
    state.stage = 'working';
    if (read.type === 'ignored') {
      return replyToResult({
        outcome: 'ignored',
        message: read.message,
        eventType: read.eventType,
      });
    }
    state.eventUuid = read.event.eventUuid;
    // readVerified + handleInviteeEvent is handleDelivery in two steps, so that a failure in the
    // lifecycle is logged with the booking it was about.
    try {
      return replyToResult(await handleInviteeEvent(read.event, { ...deps, log: requestLog }));
    } catch (error) {
      const reply = replyToError(error, now());
      return { ...reply, fields: { eventUuid: read.event.eventUuid, ...reply.fields } };
    }
  }

  /**
   * Reads, verifies and parses the body. A function of its own so the raw bytes are garbage once
   * it returns: they count against the byte budget only while they exist.
   */
  async function readVerified(req: IncomingMessage): Promise<ReadDelivery> {
    const share = budget.open();
    try {
      const rawBody = await readBody(req, { maxBytes: maxBodyBytes, share });
      return readDelivery({
        rawBody,
        headers: req.headers,
        signingKeys: options.signingKeys,
        now: now(),
        toleranceSeconds: options.toleranceSeconds,
        calendlyApiUrl: options.calendlyApiUrl,
      });
    } finally {
      share.release();
    }
  }

  /** Writes the answer; after an early 413 the unread rest of the body is dropped first. */
  async function answer(req: IncomingMessage, res: ServerResponse, reply: Reply, id: string) {
    if (req.complete) return sendReply(res, reply, id);
    // A body left unread cannot be skipped on a kept-alive connection: close it after the answer.
    res.setHeader('Connection', 'close');
    if (reply.status !== 413) return sendReply(res, reply, id);
    sendReply(res, reply, id, { end: false });
    await discardBody(req, { ...DISCARD_AFTER_413, startTimer });
    res.end();
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

    let timedOut = false;
    const state: RequestState = {
      requestId,
      path,
      eventUuid: null,
      stage: 'reading_body',
      abandoned: false,
      answerNow: () => undefined,
    };
    active.add(state);
    const work = route(req, state, requestLog).catch((error: unknown) =>
      replyToError(error, now()),
    );
    const reply = new Promise<Reply>((resolve) => {
      const cancel = startTimer(requestTimeoutMs, () => {
        timedOut = true;
        resolve(replyToError(new RequestTimeoutError(requestTimeoutMs), now()));
      });
      state.answerNow = () => {
        cancel();
        resolve(replyToError(new ShuttingDownError(), now()));
      };
      void work.then((r) => {
        cancel();
        resolve(r);
      });
    });

    const lineFields = (r: Reply) => ({
      ...r.fields,
      ...(state.eventUuid === null ? {} : { eventUuid: state.eventUuid }),
      method: req.method,
      path,
      status: r.status,
      durationMs: now() - started,
    });
    track(
      reply.then(async (r) => {
        const clientGone = res.destroyed && !res.headersSent;
        const answered = answer(req, res, r, requestId);
        if (r.alert) requestLog.error(r.alert, r.fields);
        if (r.quiet) refusals.note('bodiesRefused');
        else
          requestLog[r.level]('request', {
            ...lineFields(r),
            ...(clientGone ? { clientGone } : {}),
          });
        await answered;
      }),
    );
    // Work that outlived its answer still finishes (the lease keeps it safe); say how it ended.
    track(
      work.then((r) => {
        active.delete(state);
        if (state.abandoned) {
          requestLog[r.level]('request finished after shutdown abandoned it', lineFields(r));
        } else if (timedOut) {
          requestLog[r.level]('request finished after its timeout', lineFields(r));
        }
      }),
    );
  }

  return {
    handle,
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
    inFlight: () => active.size,
    abandon() {
      for (const state of active) {
        state.abandoned = true;
        log.warn('shutdown abandons a request whose work is not done', {
          requestId: state.requestId,
          path: state.path,
          eventUuid: state.eventUuid,
          stage: state.stage,
        });
        state.answerNow();
      }
      return active.size;
    },
  };
}
