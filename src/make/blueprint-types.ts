// The shape of a Make scenario blueprint, as exported by Make (see test/fixtures/make/): a name,
// a flow of modules, and scenario metadata. Only what this project writes or checks is typed.

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One filter condition: `a <o> b`. `exist`/`notexist` have no `b`. */
export interface MakeCondition {
  a: string;
  o: string;
  b?: string;
}

/**
 * A filter sits on the link into a module. `conditions` is OR over AND-groups: the module runs
 * when every condition of at least one inner array holds.
 */
export interface MakeFilter {
  name: string;
  conditions: MakeCondition[][];
}

export interface MakeDesigner {
  x: number;
  y: number;
  name?: string;
}

/** `designer` places and names the module in Make's editor; real exports add more keys. */
export interface MakeModuleMetadata {
  designer: MakeDesigner;
  [key: string]: JsonValue | MakeDesigner;
}

export interface MakeModule {
  id: number;
  module: string;
  version: number;
  parameters?: JsonObject;
  filter?: MakeFilter;
  // Routers export `mapper: null`; every other module has an object (possibly empty).
  mapper?: JsonObject | null;
  metadata: MakeModuleMetadata;
  routes?: MakeRoute[];
  /** Error handler route: modules run when this one fails, ending in a directive (Break, …). */
  onerror?: MakeModule[];
}

export interface MakeRoute {
  flow: MakeModule[];
}

export interface MakeScenarioSettings {
  roundtrips: number;
  maxErrors: number;
  autoCommit: boolean;
  autoCommitTriggerLast: boolean;
  /** One run at a time, in arrival order. */
  sequential: boolean;
  slots: number | null;
  /** Make keeps no execution data (inputs/outputs) in the run history. */
  confidential: boolean;
  dataloss: boolean;
  /** "Allow storing of incomplete executions": what a Break handler parks its retries in. */
  dlq: boolean;
  freshVariables: boolean;
}

export interface MakeBlueprint {
  name: string;
  flow: MakeModule[];
  metadata: {
    instant: boolean;
    version: number;
    scenario: MakeScenarioSettings;
    designer: { orphans: JsonValue[] };
  };
}

/** A data structure definition, in the shape Make's API (`POST /data-structures`) takes. */
export interface MakeDataStructure {
  name: string;
  strict: boolean;
  spec: Array<{ name: string; type: string; label: string; required?: boolean }>;
}
