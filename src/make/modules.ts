// One factory per Make module this blueprint uses. Each mirrors the shape Make exports for that
// module (test/fixtures/make/): which keys go in `parameters` (chosen once, e.g. a data store or a
// keychain) and which in `mapper` (mapped per run). Connections, hooks and data stores are left
// out of `parameters` on purpose: Make asks the user to pick them after import.

import type { JsonObject, MakeFilter, MakeModule } from './blueprint-types';

/** Hands out module ids in the order modules are created, so ids follow the flow. */
export class IdSequence {
  private next = 1;

  take(): number {
    return this.next++;
  }
}

/** Versions of the Make modules used; the validator checks exports against the same table. */
export const MODULE_VERSIONS = {
  'gateway:CustomWebHook': 1,
  'gateway:WebhookRespond': 1,
  'util:SetVariables': 1,
  'util:FunctionSleep': 1,
  'json:ParseJSON': 1,
  'builtin:BasicRouter': 1,
  'builtin:Break': 1,
  'http:MakeRequest': 4,
  'datastore:ExistRecord': 1,
  'datastore:GetRecord': 1,
  'datastore:AddRecord': 1,
  'datastore:UpdateRecord': 1,
  'datastore:DeleteRecord': 1,
} as const;

type ModuleName = keyof typeof MODULE_VERSIONS;

function make(
  id: number,
  module: ModuleName,
  name: string,
  parameters: JsonObject,
  mapper: JsonObject,
): MakeModule {
  return {
    id,
    module,
    version: MODULE_VERSIONS[module],
    parameters,
    mapper,
    // Layout fills in x and y once the whole flow is known.
    metadata: { designer: { x: 0, y: 0, name } },
  };
}

/** Custom webhook trigger. The hook itself (with JSON pass-through and headers on) is made by the user. */
export function customWebhook(ids: IdSequence, name: string): MakeModule {
  return make(ids.take(), 'gateway:CustomWebHook', name, { maxResults: 1 }, {});
}

/** Answers the HTTP request that started the run. Make wants `status` as text, headers as key/value. */
export function webhookRespond(
  ids: IdSequence,
  name: string,
  status: string,
  body: string,
): MakeModule {
  return make(
    ids.take(),
    'gateway:WebhookRespond',
    name,
    {},
    { status, body, headers: [{ key: 'content-type', value: 'application/json' }] },
  );
}

/** Tools > Set multiple variables; each variable is then mapped as `{{id.name}}`. */
export function setVariables(
  ids: IdSequence,
  name: string,
  variables: ReadonlyArray<readonly [string, string]>,
): MakeModule {
  return make(
    ids.take(),
    'util:SetVariables',
    name,
    {},
    {
      scope: 'roundtrip',
      variables: variables.map(([variable, value]) => ({ name: variable, value })),
    },
  );
}

export function sleep(ids: IdSequence, name: string, seconds: number): MakeModule {
  return make(ids.take(), 'util:FunctionSleep', name, {}, { duration: String(seconds) });
}

/** JSON > Parse JSON without a data structure: fields are mapped by path. */
export function parseJson(ids: IdSequence, name: string, json: string): MakeModule {
  return make(ids.take(), 'json:ParseJSON', name, { type: '' }, { json });
}

/**
 * A router. Routes are built by a callback so the router takes its id before its routes' modules:
 * ids then read in the order the scenario runs.
 */
export function router(
  ids: IdSequence,
  name: string,
  buildRoutes: () => MakeModule[][],
): MakeModule {
  const id = ids.take();
  return {
    id,
    module: 'builtin:BasicRouter',
    version: MODULE_VERSIONS['builtin:BasicRouter'],
    mapper: null,
    metadata: { designer: { x: 0, y: 0, name } },
    routes: buildRoutes().map((flow) => ({ flow })),
  };
}

export interface HttpRequest {
  method: 'get' | 'post' | 'patch' | 'delete';
  url: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  /** JSON text (Make formulas allowed) sent as `application/json`. */
  jsonBody?: string;
  /** Basic auth from a keychain the user picks after import; otherwise no auth. */
  basicAuth?: boolean;
  /** true: any non-2xx status fails the module (and triggers its error handler). */
  stopOnHttpError: boolean;
}

/** HTTP > Make a request (v4). */
export function httpRequest(ids: IdSequence, name: string, request: HttpRequest): MakeModule {
  const body: JsonObject =
    request.jsonBody === undefined
      ? {}
      : { contentType: 'json', inputMethod: 'jsonString', jsonStringBodyContent: request.jsonBody };
  return make(
    ids.take(),
    'http:MakeRequest',
    name,
    // basicAuth without `basicAuthKeychain`: the key is the user's to create and pick.
    { authenticationType: request.basicAuth === true ? 'basicAuth' : 'noAuth' },
    {
      url: request.url,
      method: request.method,
      headers: (request.headers ?? []).map(([header, value]) => ({ name: header, value })),
      queryParameters: [],
      ...body,
      parseResponse: true,
      stopOnHttpError: request.stopOnHttpError,
      allowRedirects: false,
      shareCookies: false,
      requestCompressedContent: true,
    },
  );
}

/** Data store > Check the existence of a record: outputs `exist` (boolean). */
export function datastoreExists(ids: IdSequence, name: string, key: string): MakeModule {
  return make(ids.take(), 'datastore:ExistRecord', name, {}, { key });
}

/** Data store > Get a record: outputs the record's fields by name. Only used once existence is known. */
export function datastoreGet(ids: IdSequence, name: string, key: string): MakeModule {
  return make(ids.take(), 'datastore:GetRecord', name, {}, { key, returnWrapped: false });
}

/** Data store > Add/replace a record. */
export function datastoreAdd(
  ids: IdSequence,
  name: string,
  key: string,
  data: Record<string, string>,
): MakeModule {
  return make(ids.take(), 'datastore:AddRecord', name, {}, { key, data, overwrite: true });
}

/** Data store > Update a record: only the given fields change. Never inserts. */
export function datastoreUpdate(
  ids: IdSequence,
  name: string,
  key: string,
  data: Record<string, string>,
): MakeModule {
  return make(
    ids.take(),
    'datastore:UpdateRecord',
    name,
    {},
    { key, data, upsert: false, overwriteArrays: false },
  );
}

export function datastoreDelete(ids: IdSequence, name: string, key: string): MakeModule {
  return make(ids.take(), 'datastore:DeleteRecord', name, {}, { key });
}

/**
 * Error handler directive: park the run as an incomplete execution and let Make retry it
 * `count` times, `intervalMinutes` apart (needs "allow storing of incomplete executions").
 */
export function breakAndRetry(
  ids: IdSequence,
  name: string,
  count: number,
  intervalMinutes: number,
): MakeModule {
  return make(
    ids.take(),
    'builtin:Break',
    name,
    {},
    // Make's own exports write these numbers as text.
    { retry: true, count: String(count), interval: String(intervalMinutes) },
  );
}

/** Puts a filter on the link into the first module of a route or chain. */
export function filtered(modules: MakeModule[], filter: MakeFilter): MakeModule[] {
  const first = modules[0];
  if (first === undefined) throw new Error(`Filter "${filter.name}" has no module to sit on.`);
  if (first.filter !== undefined) {
    throw new Error(`Module ${first.id} already has filter "${first.filter.name}".`);
  }
  first.filter = filter;
  return modules;
}
