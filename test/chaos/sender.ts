import { Agent, request } from 'node:http';
import { signCalendlyPayload } from '../../src/calendly/signature';
import type { PlannedDelivery } from './traffic';

/**
 * A Calendly-like webhook sender: many deliveries in flight, every non-2xx answer and every
 * network failure redelivered with back-off, Retry-After honoured (capped, since the chaos run
 * compresses Calendly's hours into seconds), each attempt signed afresh. The one delivery it gives
 * up on is a booking whose Zoom host is at its daily limit: after a few answers saying so it is
 * recorded as given up, never silently dropped.
 */
export interface SenderOptions {
  deliveries: readonly PlannedDelivery[];
  /** Where to deliver; read per attempt, since a restarted receiver may move. */
  webhookUrl: () => string;
  signingKey: string;
  /** Requests in flight at most. */
  concurrency: number;
  /** The clock signatures are made with (the chaos run moves it with the receiver's). */
  now: () => number;
  /** Back-off after the first failure; doubles per attempt up to capMs. */
  baseDelayMs?: number;
  capDelayMs?: number;
  /** Retry-After is honoured up to this much. */
  retryAfterCapMs?: number;
  /** How many zoom_daily_limit answers a delivery gets before it is given up. */
  dailyLimitAttempts?: number;
  /** Calendly's read timeout. */
  requestTimeoutMs?: number;
  /** Deliveries still unanswered after this long are left unsettled (and reported). */
  deadlineMs?: number;
  /** Called whenever a delivery settles (answered 2xx or given up). */
  onSettled?: (settled: number, total: number) => void;
}

export interface DeliveryLog {
  delivery: PlannedDelivery;
  attempts: number;
  /** Answers by status ("network" when there was none). */
  answers: Record<string, number>;
  final: { status: number; outcome: string | null } | null;
  gaveUp: { reason: 'zoom_daily_limit'; attempts: number } | null;
  dailyLimitAnswers: number;
  lastFailure: string | null;
  /** The first few answers that were neither 2xx nor 503, whole (a valid delivery never gets one). */
  unexpected: string[];
}

export interface SenderReport {
  logs: DeliveryLog[];
  /** From the first request to the last delivery settled. */
  drainMs: number;
  attempts: number;
  answers: Record<string, number>;
  unsettled: number;
}

export interface Sender {
  done: Promise<SenderReport>;
  /** Stops starting requests (redeliveries wait) until resume(). */
  pause(): void;
  resume(): void;
  /** Resolves once no request is in flight. */
  quiet(): Promise<void>;
  /** Ends the run now: unsettled deliveries are reported as such. */
  abort(): void;
}

interface Answer {
  status: number;
  retryAfterMs: number | null;
  body: Record<string, unknown>;
}

export function startSender(options: SenderOptions): Sender {
  const baseDelayMs = options.baseDelayMs ?? 25;
  const capDelayMs = options.capDelayMs ?? 1500;
  const retryAfterCapMs = options.retryAfterCapMs ?? 1000;
  const dailyLimitAttempts = options.dailyLimitAttempts ?? 3;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const deadlineMs = options.deadlineMs ?? 10 * 60_000;
  const total = options.deliveries.length;
  const logs: DeliveryLog[] = options.deliveries.map((delivery) => ({
    delivery,
    attempts: 0,
    answers: {},
    final: null,
    gaveUp: null,
    dailyLimitAnswers: 0,
    lastFailure: null,
    unexpected: [],
  }));
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const timers = new Set<NodeJS.Timeout>();
  const ready: DeliveryLog[] = [];
  const quietWaiters: (() => void)[] = [];
  let fresh = 0;
  let inFlight = 0;
  let settled = 0;
  let paused = false;
  let finished = false;
  const started = performance.now();
  let finish!: (report: SenderReport) => void;
  const done = new Promise<SenderReport>((resolve) => (finish = resolve));

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const end = (): void => {
    if (finished) return;
    finished = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    agent.destroy();
    const answers: Record<string, number> = {};
    for (const log of logs) {
      for (const [status, n] of Object.entries(log.answers))
        answers[status] = (answers[status] ?? 0) + n;
    }
    finish({
      logs,
      drainMs: performance.now() - started,
      attempts: logs.reduce((sum, l) => sum + l.attempts, 0),
      answers,
      unsettled: total - settled,
    });
  };

  const settle = (): void => {
    settled += 1;
    options.onSettled?.(settled, total);
    if (settled === total) end();
  };

  const pump = (): void => {
    while (!paused && !finished && inFlight < options.concurrency) {
      const next = ready.shift() ?? (fresh < total ? logs[fresh++] : undefined);
      if (next === undefined) break;
      inFlight += 1;
      void attempt(next).finally(() => {
        inFlight -= 1;
        if (inFlight === 0) for (const wake of quietWaiters.splice(0)) wake();
        pump();
      });
    }
  };

  async function attempt(log: DeliveryLog): Promise<void> {
    log.attempts += 1;
    let answer: Answer | null = null;
    try {
      answer = await post(log.delivery.rawBody);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      log.lastFailure = code ?? (error instanceof Error ? error.message : String(error));
    }
    if (finished) return;
    const status =
      answer === null ? `network ${log.lastFailure ?? ''}`.trim() : String(answer.status);
    log.answers[status] = (log.answers[status] ?? 0) + 1;
    if (answer !== null && answer.status >= 200 && answer.status < 300) {
      const outcome = answer.body.outcome;
      log.final = { status: answer.status, outcome: typeof outcome === 'string' ? outcome : null };
      return settle();
    }
    if (answer !== null) log.lastFailure = `${answer.status} ${JSON.stringify(answer.body)}`;
    if (answer !== null && answer.status !== 503 && log.unexpected.length < 3) {
      log.unexpected.push(log.lastFailure ?? '');
    }
    if (answer?.body.error === 'zoom_daily_limit') {
      log.dailyLimitAnswers += 1;
      if (log.dailyLimitAnswers >= dailyLimitAttempts) {
        log.gaveUp = { reason: 'zoom_daily_limit', attempts: log.attempts };
        return settle();
      }
    }
    later(retryDelay(log.attempts, answer?.retryAfterMs ?? null), () => {
      ready.push(log);
      pump();
    });
  }

  function retryDelay(attempts: number, retryAfterMs: number | null): number {
    const backoff = Math.min(capDelayMs, baseDelayMs * 2 ** (attempts - 1));
    const jittered = backoff / 2 + (Math.random() * backoff) / 2;
    return Math.max(jittered, Math.min(retryAfterCapMs, retryAfterMs ?? 0));
  }

  function post(rawBody: string): Promise<Answer> {
    const signature = signCalendlyPayload(
      rawBody,
      options.signingKey,
      Math.floor(options.now() / 1000),
    );
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        options.webhookUrl(),
        {
          method: 'POST',
          agent,
          timeout: requestTimeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(rawBody),
            'calendly-webhook-signature': signature,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const retryAfter = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : null,
              body: asObject(Buffer.concat(chunks).toString('utf8')),
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(rawBody);
    });
  }

  later(deadlineMs, end);
  pump();
  if (total === 0) end();

  return {
    done,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      pump();
    },
    quiet() {
      return inFlight === 0 ? Promise.resolve() : new Promise((wake) => quietWaiters.push(wake));
    },
    abort: end,
  };
}

function asObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
