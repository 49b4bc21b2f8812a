// The shape every modelled module family implements. The interpreter (scenario-run.ts) knows
// routers, filters and error handlers; everything a module does is behind this interface.

import type { HttpClient } from '../../http';
import type { MakeModule } from '../blueprint-types';
import type { MakeDataStores, Journal } from './data-stores';
import type { ImlValue } from './iml/values';

/** How the simulator plays the Make behaviours that could not be confirmed (see docs/make.md). */
export interface MakeInterpretation {
  /** Routes of a router run one after another in the listed order, or the reverse. */
  routeOrder: 'listed' | 'reversed';
  /** "Add a record" with overwrite off, on a key that exists: an error, or silently nothing. */
  addExistingKey: 'error' | 'ignore';
  /** Whether that check-and-insert is one atomic step, or two that parallel runs can interleave. */
  atomicAdd: boolean;
  /** "Get a record" of a key that does not exist. */
  getMissingRecord: 'empty' | 'no-bundle' | 'error';
  /** "Update a record" (insert off) of a key that does not exist. */
  updateMissingRecord: 'error' | 'ignore';
  /** With auto-commit on, the data store writes of a run stopped part-way (an outage). */
  stoppedRunWrites: 'kept' | 'lost';
}

export const DEFAULT_INTERPRETATION: Readonly<MakeInterpretation> = Object.freeze({
  routeOrder: 'listed',
  addExistingKey: 'error',
  atomicAdd: true,
  getMissingRecord: 'empty',
  updateMissingRecord: 'error',
  stoppedRunWrites: 'kept',
});

export interface Keychain {
  username: string;
  password: string;
}

export interface WebhookAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** What the webhook received, as the custom webhook module hands it to the scenario. */
export interface ReceivedRequest {
  body: string;
  headers: ReadonlyArray<readonly [string, string]>;
}

/** Shared by every run of one simulator. */
export interface SimulatorServices {
  now(): number;
  /** FunctionSleep: virtual time passes instead of real time. */
  sleep(ms: number): void;
  stores: MakeDataStores;
  http: HttpClient;
  baseUrls: Readonly<Record<string, string>> | undefined;
  keychains: Readonly<Record<string, Keychain>>;
  httpTimeoutMs: number;
  webhook: { jsonPassThrough: boolean; headers: boolean };
  interpretation: MakeInterpretation;
}

/** The part of a run a module touches. */
export interface RunContext {
  /** The request that started the run (undefined for a scheduled run or a retried execution). */
  request: ReceivedRequest | undefined;
  /** First answer wins; later ones, or answers with nobody waiting, go nowhere. */
  respond(answer: WebhookAnswer): void;
  /** The run's data store writes, so what was not committed can be undone. */
  journal: Journal;
}

export interface ModuleCall {
  module: MakeModule;
  /** Evaluates a value of the module (its mapper or a part of it) in this bundle's scope. */
  evaluate(value: unknown): ImlValue;
  services: SimulatorServices;
  run: RunContext;
}

export interface ModuleHandler {
  /** The trigger counts one operation even with no data; it can only be the first module. */
  trigger?: boolean;
  /** Configuration the simulator does not model, named, checked before any run. */
  check?(module: MakeModule, services: SimulatorServices): string[];
  /** The bundles the module outputs (zero stops this path), or a MakeModuleError. */
  execute(call: ModuleCall): Promise<ImlValue[]>;
}

export type ModuleFamily = Readonly<Record<string, ModuleHandler>>;
