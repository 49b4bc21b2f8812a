// One scenario run, executed the way Make's help describes it: modules left to right, one
// operation each (routers, filters and error handlers are free); a filter that fails ends the
// bundle's path; a router hands the bundle to each route in turn; a module that outputs several
// bundles runs the rest of its path once per bundle. An error goes to the module's error handler
// route, whose directive decides what follows; without one, the scenario settings do. A run can
// also be stopped from outside part-way, as an outage would stop it (`stopBefore`).

import type { MakeModule } from '../blueprint-types';
import { Journal } from './data-stores';
import { MakeModuleError, type MakeErrorType } from './errors';
import { passes } from './filters';
import type { ImlScope } from './iml/evaluate';
import { evaluateDeep } from './iml/template';
import { toNumber } from './iml/values';
import { DIRECTIVES, ROUTER } from './modules/builtin';
import { MODULES } from './modules';
import { own } from './own';
import type { ReceivedRequest, RunContext, SimulatorServices, WebhookAnswer } from './registry';

export interface ScenarioSettings {
  sequential: boolean;
  /** "Allow storing of incomplete executions". */
  dlq: boolean;
  /** Consecutive runs ending in error after which Make stops scheduling the scenario. */
  maxErrors: number;
  autoCommit: boolean;
}

/** Where a stored incomplete execution picks up again: the module that failed, with its inputs. */
export interface Continuation {
  flow: MakeModule[];
  index: number;
  outputs: ReadonlyMap<number, unknown>;
}

export interface Parking {
  continuation: Continuation;
  moduleId: number;
  error: { type: MakeErrorType; message: string };
  /** A Break's own retry settings, Make's automatic retries for temporary errors, or none. */
  retry: { attempts: number; intervalMs: number } | 'automatic' | null;
}

/** The module a run is stopped at, by id or by a test on the module. */
export type ModuleSelector = number | ((module: MakeModule) => boolean);

export interface RunResult {
  operations: number;
  /**
   * success, warning (something was parked), error (unhandled, rolled back), stopped (from
   * outside, before `stoppedAt` ran: see `stopBefore`).
   */
  status: 'success' | 'warning' | 'error' | 'stopped';
  /** The first "Webhook response" of the run, if any ran. */
  answer: WebhookAnswer | null;
  parkings: Parking[];
  error: { type: MakeErrorType; message: string; moduleId: number } | null;
  stoppedAt: number | null;
}

/** Errors Make retries by itself from incomplete executions ("Incomplete executions"). */
const AUTOMATIC_RETRY: ReadonlySet<MakeErrorType> = new Set([
  'RateLimitError',
  'ConnectionError',
  'ModuleTimeoutError',
]);

class Scope implements ImlScope {
  constructor(
    private readonly outputs: Map<number, unknown>,
    private readonly clock: () => number,
  ) {}

  get now(): Date {
    return new Date(this.clock());
  }

  output(moduleId: number): unknown {
    return this.outputs.get(moduleId);
  }

  set(moduleId: number, value: unknown): void {
    this.outputs.set(moduleId, value);
  }

  fork(): Scope {
    return new Scope(new Map(this.outputs), this.clock);
  }

  snapshot(): ReadonlyMap<number, unknown> {
    return new Map(this.outputs);
  }
}

interface FlowOptions {
  /** The module run from a stored continuation already passed its filter. */
  skipFilterAt?: number;
  /** An error in an error handler route ends the run with an error. */
  inErrorRoute?: boolean;
}

export class ScenarioRun {
  private operations = 0;
  private answer: WebhookAnswer | null = null;
  private status: RunResult['status'] = 'success';
  private stopped = false;
  private failure: RunResult['error'] = null;
  private stoppedAt: number | null = null;
  /** Every data store write of the run: what a Rollback or a stop undoes when not committed. */
  private readonly journal = new Journal();
  private readonly parkings: Parking[] = [];
  private readonly context: RunContext;

  constructor(
    private readonly services: SimulatorServices,
    private readonly settings: ScenarioSettings,
    request: ReceivedRequest | undefined,
    private readonly stopBefore?: ModuleSelector,
  ) {
    this.context = {
      request,
      journal: this.journal,
      respond: (answer) => {
        if (this.answer === null) this.answer = answer;
      },
    };
  }

  /** A new run: the trigger (first module) and everything after it. */
  async fromTrigger(flow: MakeModule[]): Promise<RunResult> {
    await this.flow(flow, 0, new Scope(new Map(), this.services.now), { skipFilterAt: 0 });
    return this.result();
  }

  /** A retried incomplete execution: from the module that failed. */
  async fromContinuation(continuation: Continuation): Promise<RunResult> {
    const scope = new Scope(new Map(continuation.outputs), this.services.now);
    await this.flow(continuation.flow, continuation.index, scope, {
      skipFilterAt: continuation.index,
    });
    return this.result();
  }

  private result(): RunResult {
    return {
      operations: this.operations,
      status: this.status,
      answer: this.answer,
      parkings: this.parkings,
      error: this.failure,
      stoppedAt: this.stoppedAt,
    };
  }

  private async flow(
    flow: MakeModule[],
    start: number,
    scope: Scope,
    options: FlowOptions,
  ): Promise<void> {
    for (let i = start; i < flow.length; i++) {
      if (this.stopped) return;
      const module = flow[i] as MakeModule;
      if (
        module.filter !== undefined &&
        i !== options.skipFilterAt &&
        !passes(module.filter, scope)
      ) {
        return;
      }
      if (this.reaches(module)) {
        this.halt(module);
        return;
      }
      if (module.module === ROUTER) {
        await this.router(module, scope, options);
        return;
      }
      const bundles = await this.execute(flow, i, scope, options);
      if (bundles === null || bundles.length === 0) return;
      if (bundles.length > 1) {
        for (const bundle of bundles) {
          const branch = scope.fork();
          branch.set(module.id, bundle);
          await this.flow(flow, i + 1, branch, { inErrorRoute: options.inErrorRoute });
        }
        return;
      }
      scope.set(module.id, bundles[0]);
    }
  }

  private async router(router: MakeModule, scope: Scope, options: FlowOptions): Promise<void> {
    const routes = router.routes ?? [];
    const ordered =
      this.services.interpretation.routeOrder === 'reversed' ? [...routes].reverse() : routes;
    for (const route of ordered) {
      if (this.stopped) return;
      await this.flow(route.flow, 0, scope.fork(), { inErrorRoute: options.inErrorRoute });
    }
  }

  /** The module's bundles, or null when it failed (its error was dealt with here). */
  private async execute(
    flow: MakeModule[],
    index: number,
    scope: Scope,
    options: FlowOptions,
  ): Promise<unknown[] | null> {
    const module = flow[index] as MakeModule;
    const handler = own(MODULES, module.module);
    // Every module was checked when the simulator was built.
    if (handler === undefined) throw new Error(`Unchecked module ${module.module}`);
    this.operations += 1;
    try {
      return await handler.execute({
        module,
        evaluate: (value) => evaluateDeep(value, scope),
        services: this.services,
        run: this.context,
      });
    } catch (error) {
      if (!(error instanceof MakeModuleError)) throw error;
      await this.onError(flow, index, scope, error, options);
      return null;
    }
  }

  private async onError(
    flow: MakeModule[],
    index: number,
    scope: Scope,
    error: MakeModuleError,
    options: FlowOptions,
  ): Promise<void> {
    const module = flow[index] as MakeModule;
    const continuation: Continuation = { flow, index, outputs: scope.snapshot() };
    const handlers = module.onerror ?? [];
    if (handlers.length === 0) {
      this.unhandled(module, error, continuation, options);
      return;
    }
    // The handler route sees the failed module's output as its error.
    const errorScope = scope.fork();
    errorScope.set(module.id, { error: { type: error.type, message: error.message } });
    const last = handlers[handlers.length - 1] as MakeModule;
    const directive = own(DIRECTIVES, last.module);
    const route = directive === undefined ? handlers : handlers.slice(0, -1);
    await this.flow(route, 0, errorScope, { inErrorRoute: true });
    if (this.stopped) return;
    switch (directive) {
      // A handler route without a directive ignores the error, like Ignore.
      case undefined:
      case 'Ignore':
        return;
      case 'Resume':
        scope.set(module.id, evaluateDeep(last.mapper ?? {}, errorScope));
        await this.flow(flow, index + 1, scope, { inErrorRoute: options.inErrorRoute });
        return;
      case 'Commit':
        this.stopped = true;
        return;
      case 'Rollback':
        this.fail(module, error);
        return;
      case 'Break':
        if (!this.settings.dlq) {
          this.unhandled(module, error, continuation, options);
          return;
        }
        // "Automatically complete execution": retry `count` times, `interval` minutes apart.
        this.park(
          module,
          error,
          continuation,
          last.mapper?.retry === true
            ? {
                attempts: Math.max(0, toNumber(last.mapper.count) || 0),
                intervalMs: Math.max(0, toNumber(last.mapper.interval) || 0) * 60_000,
              }
            : null,
        );
        return;
    }
  }

  /**
   * No handler: with incomplete executions allowed, the run stops and is stored; otherwise it
   * ends in error and rolls back. An error inside a handler route always ends the run in error.
   */
  private unhandled(
    module: MakeModule,
    error: MakeModuleError,
    continuation: Continuation,
    options: FlowOptions,
  ): void {
    if (this.settings.dlq && options.inErrorRoute !== true) {
      this.park(module, error, continuation, AUTOMATIC_RETRY.has(error.type) ? 'automatic' : null);
      this.stopped = true;
      return;
    }
    this.fail(module, error);
  }

  private park(
    module: MakeModule,
    error: MakeModuleError,
    continuation: Continuation,
    retry: Parking['retry'],
  ): void {
    this.parkings.push({
      continuation,
      moduleId: module.id,
      error: { type: error.type, message: error.message },
      retry,
    });
    if (this.status === 'success') this.status = 'warning';
  }

  private reaches(module: MakeModule): boolean {
    const at = this.stopBefore;
    return at !== undefined && (typeof at === 'number' ? module.id === at : at(module));
  }

  /**
   * Stopped from outside (an outage): nothing after runs, not even an error route, and no commit
   * phase. What the modules did outside Make stays. Data store writes are lost without
   * auto-commit; with it, whether a write already committed survives is the interpretation's call.
   */
  private halt(module: MakeModule): void {
    if (!this.settings.autoCommit || this.services.interpretation.stoppedRunWrites === 'lost') {
      this.journal.undo();
    }
    this.status = 'stopped';
    this.stoppedAt = module.id;
    this.stopped = true;
  }

  private fail(module: MakeModule, error: MakeModuleError): void {
    if (!this.settings.autoCommit) this.journal.undo();
    this.status = 'error';
    this.failure = { type: error.type, message: error.message, moduleId: module.id };
    this.stopped = true;
  }
}
