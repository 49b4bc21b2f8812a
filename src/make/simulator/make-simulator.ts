// A Make scenario, run offline: a blueprint's modules executed by the interpreter in
// scenario-run.ts, with the scheduling Make applies around runs — the webhook queue, sequential
// processing, incomplete executions and their retries, deactivation after consecutive errors —
// on a virtual clock. docs/make.md lists each modelled behaviour with the Make page it rests on.

import { createFetchHttpClient, type HttpClient } from '../../http';
import type { MakeBlueprint, MakeDataStructure, MakeModule } from '../blueprint-types';
import { validateBlueprint } from '../validate-blueprint';
import { unsupportedIn } from './check-blueprint';
import { MakeDataStores, type DataStoreDefinition, type RecordData } from './data-stores';
import { MakeUnsupportedError, type MakeErrorType } from './errors';
import {
  DEFAULT_INTERPRETATION,
  type Keychain,
  type MakeInterpretation,
  type ReceivedRequest,
  type SimulatorServices,
  type WebhookAnswer,
} from './registry';
import {
  ScenarioRun,
  type Continuation,
  type ModuleSelector,
  type Parking,
  type RunResult,
  type ScenarioSettings,
} from './scenario-run';

export interface MakeSimulatorOptions {
  /** The blueprint JSON (as exported by Make or written by `calendly-zoom blueprint`). */
  blueprint: unknown;
  /** Data structures the stores are typed by (strict mode and required fields apply). */
  dataStructures?: readonly MakeDataStructure[];
  /**
   * The data stores, by name: their data structure (by name), the id modules pick them by
   * (`parameters.datastore`) and their size. Default: one store per data structure, same name.
   */
  dataStores?: ReadonlyArray<{
    name: string;
    structure?: string;
    id?: number;
    maxSizeBytes?: number;
  }>;
  /** Stores shared with another simulator (a second scenario on the same data). */
  stores?: MakeDataStores;
  /** Stand-ins for real services: `{ 'https://api.zoom.us': 'http://127.0.0.1:4010' }`. */
  baseUrls?: Readonly<Record<string, string>>;
  /** Basic auth keychains by id (`parameters.basicAuthKeychain`), `'*'` for any module without one. */
  keychains?: Readonly<Record<string, Keychain>>;
  /** Start of the virtual clock (ms since the epoch); `advance` and Sleep move it on. */
  now?: () => number;
  http?: HttpClient;
  /** Default HTTP timeout when a module sets none (Make's own range is 1–300 s). */
  httpTimeoutMs?: number;
  /** The custom webhook's advanced options; both on by default. */
  webhook?: { jsonPassThrough?: boolean; headers?: boolean };
  /** How to play the Make behaviours that could not be confirmed. */
  interpretation?: Partial<MakeInterpretation>;
}

export interface MakeDelivery {
  /** The raw request body. */
  body: string;
  headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
}

/** How a delivery's run goes beyond what the scenario decides. */
export interface MakeDeliveryOptions {
  /**
   * Stop the run when it reaches this module (by id, or the first module the test accepts), before
   * the module runs: an outage of Make's own part-way through. See docs/make.md.
   */
  stopBefore?: ModuleSelector;
}

export interface MakeDeliveryResult {
  /** What the caller received: 0 (and no body) when its connection dropped without an answer. */
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Operations the run used (0 when the delivery only went into the queue). */
  operations: number;
  /** The run stored an incomplete execution (Break, or an unhandled error with them allowed). */
  parked: boolean;
  /** Make answered "Accepted" at once and queued the delivery (scenario paused or off). */
  queued: boolean;
  /** The run was stopped part-way (`stopBefore`). */
  stopped: boolean;
  /** The run's id in `runs()`; null while queued. */
  runId: number | null;
}

export interface MakeRunRecord {
  id: number;
  kind: 'delivery' | 'retry' | 'scheduled';
  at: number;
  operations: number;
  status: RunResult['status'];
  answer: WebhookAnswer | null;
  parked: boolean;
  error: RunResult['error'];
  /** The module a stopped run never ran. */
  stoppedAt: number | null;
}

export interface IncompleteExecution {
  id: number;
  createdAt: number;
  moduleId: number;
  error: { type: MakeErrorType; message: string };
  /** Retries run so far. */
  attempts: number;
  /** When Make retries it next; null: it waits for someone to resolve it. */
  nextRetryAt: number | null;
}

/** Make's answer when no "Webhook response" ran (integromat/make-blueprints: webhook-api-endpoint). */
const ACCEPTED: WebhookAnswer = { status: 200, body: 'Accepted', headers: {} };
/** A run stopped part-way before answering: the caller's connection drops. */
const NO_ANSWER: WebhookAnswer = { status: 0, body: '', headers: {} };

/** Retry delays for incomplete executions of temporary errors ("Exponential backoff"). */
const AUTOMATIC_RETRY_MINUTES = [1, 10, 10, 30, 30, 30, 180, 180];

const DEFAULT_HTTP_TIMEOUT_MS = 300_000;

interface Queued {
  request: ReceivedRequest;
  options: MakeDeliveryOptions;
  /** The caller still waiting for its answer; absent when Make already said "Accepted". */
  caller?: { resolve(result: MakeDeliveryResult): void; reject(error: unknown): void };
}

interface Stored extends IncompleteExecution {
  continuation: Continuation;
  retry: Parking['retry'];
}

export class MakeSimulator {
  readonly stores: MakeDataStores;
  private readonly blueprint: MakeBlueprint;
  private readonly flow: MakeModule[];
  private readonly settings: ScenarioSettings;
  private readonly services: SimulatorServices;
  private readonly clockBase: () => number;
  private clockOffset = 0;
  private active = true;
  private consecutiveErrors = 0;
  private running = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queue: Queued[] = [];
  private readonly stored: Stored[] = [];
  private readonly history: MakeRunRecord[] = [];
  private nextId = 1;
  private readonly crashes: unknown[] = [];

  constructor(options: MakeSimulatorOptions) {
    const problems = validateBlueprint(options.blueprint);
    if (problems.length > 0) {
      throw new Error(`The blueprint is not a valid Make blueprint:\n- ${problems.join('\n- ')}`);
    }
    // validateBlueprint checked the shape this cast relies on.
    this.blueprint = options.blueprint as MakeBlueprint;
    this.flow = this.blueprint.flow;
    const scenario = this.blueprint.metadata.scenario;
    this.settings = {
      sequential: scenario.sequential === true,
      dlq: scenario.dlq === true,
      maxErrors: typeof scenario.maxErrors === 'number' ? scenario.maxErrors : 3,
      autoCommit: scenario.autoCommit !== false,
    };
    this.stores = options.stores ?? new MakeDataStores(storeDefinitions(options));
    this.clockBase = options.now ?? Date.now;
    this.services = {
      now: () => this.now(),
      sleep: (ms) => {
        this.clockOffset += ms;
      },
      stores: this.stores,
      http: options.http ?? createFetchHttpClient(),
      baseUrls: options.baseUrls,
      keychains: options.keychains ?? {},
      httpTimeoutMs: options.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      webhook: {
        jsonPassThrough: options.webhook?.jsonPassThrough ?? true,
        headers: options.webhook?.headers ?? true,
      },
      interpretation: { ...DEFAULT_INTERPRETATION, ...options.interpretation },
    };
    const unsupported = unsupportedIn(this.flow, this.services);
    if (unsupported.length > 0) throw new MakeUnsupportedError(unsupported);
  }

  /** The virtual clock, ms since the epoch. */
  now(): number {
    return this.clockBase() + this.clockOffset;
  }

  /** Off after `maxErrors` runs in a row ended in error; deliveries then wait in the queue. */
  isActive(): boolean {
    return this.active;
  }

  activate(): void {
    this.active = true;
    this.consecutiveErrors = 0;
    this.pump();
  }

  /**
   * One HTTP request to the scenario's webhook. Resolves with what the caller gets: the first
   * "Webhook response" of its run, or Make's "Accepted" — at once when the delivery has to wait
   * in the queue because the scenario is paused (sequential processing with an incomplete
   * execution stored) or off.
   */
  deliver(delivery: MakeDelivery, options: MakeDeliveryOptions = {}): Promise<MakeDeliveryResult> {
    if (this.flow[0]?.module !== 'gateway:CustomWebHook') {
      throw new Error('This scenario does not start with a webhook; use runOnce().');
    }
    const request = received(delivery);
    if (!this.active || this.paused()) {
      this.queue.push({ request, options });
      return Promise.resolve({
        ...answered(ACCEPTED),
        operations: 0,
        parked: false,
        queued: true,
        stopped: false,
        runId: null,
      });
    }
    if (this.settings.sequential && (this.running > 0 || this.queue.length > 0)) {
      return new Promise((resolve, reject) =>
        this.queue.push({ request, options, caller: { resolve, reject } }),
      );
    }
    return new Promise((resolve, reject) =>
      this.start({ request, options, caller: { resolve, reject } }),
    );
  }

  /** A scheduled scenario's run (its first module is not a webhook). */
  async runOnce(): Promise<MakeRunRecord> {
    const run = new ScenarioRun(this.services, this.settings, undefined);
    const result = await run.fromTrigger(this.flow);
    return this.finished('scheduled', result);
  }

  /** Records of one store (`{key: data}`), or of every store by name. */
  records(
    dataStoreName?: string,
  ): Record<string, RecordData> | Record<string, Record<string, RecordData>> {
    if (dataStoreName !== undefined) {
      const store = this.stores.byName(dataStoreName);
      if (store === undefined) throw new Error(`No data store named "${dataStoreName}".`);
      return Object.fromEntries(store.entries());
    }
    return Object.fromEntries(
      this.stores.all().map((s) => [s.name, Object.fromEntries(s.entries())]),
    );
  }

  incompleteExecutions(): IncompleteExecution[] {
    return this.stored.map(({ id, createdAt, moduleId, error, attempts, nextRetryAt }) => ({
      id,
      createdAt,
      moduleId,
      error: { ...error },
      attempts,
      nextRetryAt,
    }));
  }

  /** Every run so far, oldest first. */
  runs(): readonly MakeRunRecord[] {
    return this.history;
  }

  /**
   * Moves the virtual clock on, running the incomplete-execution retries that fall due on the way
   * and, once the scenario is no longer paused, the deliveries waiting in the queue. Resolves with
   * the runs that finished meanwhile.
   */
  async advance(ms: number): Promise<MakeRunRecord[]> {
    const target = this.now() + ms;
    const from = this.history.length;
    await this.idle();
    for (;;) {
      const due = this.stored
        .filter((s) => s.nextRetryAt !== null && s.nextRetryAt <= target)
        .sort((a, b) => (a.nextRetryAt ?? 0) - (b.nextRetryAt ?? 0))[0];
      if (due === undefined) break;
      this.clockOffset += Math.max(0, (due.nextRetryAt ?? 0) - this.now());
      await this.retry(due);
      await this.idle();
    }
    this.clockOffset += Math.max(0, target - this.now());
    this.pump();
    await this.idle();
    return this.history.slice(from);
  }

  /** Resolves once no run is in flight and nothing in the queue can start. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    const crash = this.crashes.shift();
    if (crash !== undefined) throw crash;
  }

  private paused(): boolean {
    return this.settings.sequential && this.stored.length > 0;
  }

  /** Starts the run synchronously (so `running` counts it at once) and tracks it until done. */
  private start(entry: Queued): void {
    this.running += 1;
    const done: Promise<void> = this.runDelivery(entry).finally(() => {
      this.running -= 1;
      this.inFlight.delete(done);
      this.pump();
    });
    this.inFlight.add(done);
  }

  /**
   * A failure that is not a module error (a formula the simulator cannot evaluate, a stand-in
   * missing) reaches whoever waits: the caller, or `idle`/`advance` for a queued delivery.
   */
  private async runDelivery(entry: Queued): Promise<void> {
    try {
      const run = new ScenarioRun(
        this.services,
        this.settings,
        entry.request,
        entry.options.stopBefore,
      );
      const result = await run.fromTrigger(this.flow);
      const record = this.finished('delivery', result);
      const stopped = result.status === 'stopped';
      entry.caller?.resolve({
        ...answered(result.answer ?? (stopped ? NO_ANSWER : ACCEPTED)),
        operations: result.operations,
        parked: result.parkings.length > 0,
        queued: false,
        stopped,
        runId: record.id,
      });
    } catch (error) {
      if (entry.caller === undefined) this.crashes.push(error);
      else entry.caller.reject(error);
    }
  }

  /** Starts what the queue holds and the settings allow: one at a time when sequential. */
  private pump(): void {
    while (this.queue.length > 0 && this.active && !this.paused()) {
      if (this.settings.sequential && this.running > 0) return;
      this.start(this.queue.shift() as Queued);
    }
  }

  private async retry(stored: Stored): Promise<void> {
    const run = new ScenarioRun(this.services, this.settings, undefined);
    const result = await run.fromContinuation(stored.continuation);
    this.record('retry', result);
    this.countErrors(result);
    stored.attempts += 1;
    const again = result.parkings[0];
    if (again === undefined && result.status !== 'error') {
      this.stored.splice(this.stored.indexOf(stored), 1);
      this.pump();
      return;
    }
    if (again !== undefined) {
      stored.continuation = again.continuation;
      stored.moduleId = again.moduleId;
      stored.error = again.error;
    }
    stored.nextRetryAt =
      result.status === 'error' ? null : this.nextRetry(stored.retry, stored.attempts);
  }

  private finished(kind: MakeRunRecord['kind'], result: RunResult): MakeRunRecord {
    const record = this.record(kind, result);
    this.countErrors(result);
    for (const parking of result.parkings) {
      this.stored.push({
        id: this.nextId++,
        createdAt: this.now(),
        moduleId: parking.moduleId,
        error: parking.error,
        attempts: 0,
        nextRetryAt: this.nextRetry(parking.retry, 0),
        continuation: parking.continuation,
        retry: parking.retry,
      });
    }
    return record;
  }

  private record(kind: MakeRunRecord['kind'], result: RunResult): MakeRunRecord {
    const record: MakeRunRecord = {
      id: this.nextId++,
      kind,
      at: this.now(),
      operations: result.operations,
      status: result.status,
      answer: result.answer,
      parked: result.parkings.length > 0,
      error: result.error,
      stoppedAt: result.stoppedAt,
    };
    this.history.push(record);
    return record;
  }

  /**
   * "Introduction to errors and warnings": consecutive runs in error stop the scheduling. A run
   * stopped by an outage is not the scenario's error and leaves the count as it was.
   */
  private countErrors(result: RunResult): void {
    if (result.status === 'stopped') return;
    this.consecutiveErrors = result.status === 'error' ? this.consecutiveErrors + 1 : 0;
    if (this.consecutiveErrors >= this.settings.maxErrors) this.active = false;
  }

  private nextRetry(retry: Parking['retry'], attempts: number): number | null {
    if (retry === null) return null;
    if (retry === 'automatic') {
      const minutes = AUTOMATIC_RETRY_MINUTES[attempts];
      return minutes === undefined ? null : this.now() + minutes * 60_000;
    }
    return attempts < retry.attempts ? this.now() + retry.intervalMs : null;
  }
}

function storeDefinitions(options: MakeSimulatorOptions): DataStoreDefinition[] {
  const structures = options.dataStructures ?? [];
  const stores: NonNullable<MakeSimulatorOptions['dataStores']> =
    options.dataStores ?? structures.map((s) => ({ name: s.name, structure: s.name }));
  return stores.map((store) => {
    const structure =
      store.structure === undefined
        ? undefined
        : structures.find((s) => s.name === store.structure);
    if (store.structure !== undefined && structure === undefined) {
      throw new Error(
        `Data store "${store.name}" names an unknown data structure "${store.structure}".`,
      );
    }
    return { name: store.name, structure, id: store.id, maxSizeBytes: store.maxSizeBytes };
  });
}

function received(delivery: MakeDelivery): ReceivedRequest {
  const headers = delivery.headers ?? {};
  const pairs: Array<readonly [string, string]> = Array.isArray(headers)
    ? [...(headers as ReadonlyArray<readonly [string, string]>)]
    : Object.entries(headers as Record<string, string>);
  return { body: delivery.body, headers: pairs };
}

function answered(answer: WebhookAnswer): Pick<MakeDeliveryResult, 'status' | 'body' | 'headers'> {
  return { status: answer.status, body: answer.body, headers: { ...answer.headers } };
}
