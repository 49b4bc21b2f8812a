// One factory per Make module the scenarios use. Each mirrors the shape Make exports for that
// module (test/fixtures/make/): which keys go in `parameters` (chosen once: a hook, a data store,
// a keychain) and which in `mapper` (mapped per run). A hook, data store or keychain id is written
// only when the user gave it (`calendly-zoom blueprint --hook …`); otherwise Make asks for it.

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
  'json:ParseJSON': 1,
  'builtin:BasicRouter': 1,
  'builtin:Ignore': 1,
  'http:MakeRequest': 4,
  'datastore:ExistRecord': 1,
  'datastore:GetRecord': 1,
  'datastore:AddRecord': 1,
  'datastore:DeleteRecord': 1,
  'datastore:SearchRecord': 1,
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

/** Only ids the user gave go into a module; the rest Make asks for after import. */
function picked(name: string, id: number | undefined): JsonObject {
  return id === undefined ? {} : { [name]: id };
}

/** Custom webhook trigger; the hook (JSON pass-through and headers on) is the user's. */
export function customWebhook(ids: IdSequence, name: string, hook?: number): MakeModule {
  return make(
    ids.take(),
    'gateway:CustomWebHook',
    name,
    { ...picked('hook', hook), maxResults: 1 },
    {},
  );
}

/** Answers the HTTP request that started the run. Make wants `status` as text, headers as key/value. */
export function webhookRespond(
  ids: IdSequence,
  name: string,
  status: string,
  body: string,
  headers: ReadonlyArray<readonly [string, string]> = [],
): MakeModule {
  return make(
    ids.take(),
    'gateway:WebhookRespond',
    name,
    {},
    {
      status,
      body,
      headers: [['content-type', 'application/json'], ...headers].map(([key, value]) => ({
        key,
        value,
      })),
    },
  );
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

/** Error handler directive: the error is dealt with, this bundle's path ends, the run goes on. */
export function ignore(ids: IdSequence, name: string): MakeModule {
  return {
    id: ids.take(),
    module: 'builtin:Ignore',
    version: MODULE_VERSIONS['builtin:Ignore'],
    metadata: { designer: { x: 0, y: 0, name } },
  };
}

export interface HttpRequest {
  method: 'get' | 'post' | 'patch' | 'delete';
  url: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  query?: ReadonlyArray<readonly [string, string]>;
  /** JSON text (Make formulas allowed) sent as `application/json`. */
  jsonBody?: string;
  /** Basic auth from a keychain: the given id, or one the user picks after import. */
  basicAuth?: { keychain?: number };
}

/**
 * HTTP > Make a request (v4). Every status is reported, never raised ("Evaluate all states as
 * errors" off), so the scenario routes on `statusCode`; only a request without an answer errors.
 */
export function httpRequest(ids: IdSequence, name: string, request: HttpRequest): MakeModule {
  const body: JsonObject =
    request.jsonBody === undefined
      ? {}
      : { contentType: 'json', inputMethod: 'jsonString', jsonStringBodyContent: request.jsonBody };
  return make(
    ids.take(),
    'http:MakeRequest',
    name,
    request.basicAuth === undefined
      ? { authenticationType: 'noAuth' }
      : {
          authenticationType: 'basicAuth',
          ...picked('basicAuthKeychain', request.basicAuth.keychain),
        },
    {
      url: request.url,
      method: request.method,
      headers: (request.headers ?? []).map(([header, value]) => ({ name: header, value })),
      queryParameters: (request.query ?? []).map(([param, value]) => ({ name: param, value })),
      ...body,
      parseResponse: true,
      stopOnHttpError: false,
      allowRedirects: false,
      shareCookies: false,
      requestCompressedContent: true,
    },
  );
}

/** Data store > Check the existence of a record: outputs `exist` (boolean). */
export function datastoreExists(
  ids: IdSequence,
  name: string,
  key: string,
  store?: number,
): MakeModule {
  return make(ids.take(), 'datastore:ExistRecord', name, picked('datastore', store), { key });
}

/** Data store > Get a record: the record's fields by name. Only used once the record is known to exist. */
export function datastoreGet(
  ids: IdSequence,
  name: string,
  key: string,
  store?: number,
): MakeModule {
  return make(ids.take(), 'datastore:GetRecord', name, picked('datastore', store), {
    key,
    returnWrapped: false,
  });
}

/** Data store > Add/replace a record: the whole record, replacing any record under the key. */
export function datastoreReplace(
  ids: IdSequence,
  name: string,
  key: string,
  data: Record<string, string>,
  store?: number,
): MakeModule {
  return make(ids.take(), 'datastore:AddRecord', name, picked('datastore', store), {
    key,
    data,
    overwrite: true,
  });
}

export function datastoreDelete(
  ids: IdSequence,
  name: string,
  key: string,
  store?: number,
): MakeModule {
  return make(ids.take(), 'datastore:DeleteRecord', name, picked('datastore', store), { key });
}

/** Data store > Search records: one bundle `{key, data}` per match, `limit` at most. */
export function datastoreSearch(
  ids: IdSequence,
  name: string,
  search: { filter: MakeFilter['conditions']; limit: number; store?: number },
): MakeModule {
  return make(
    ids.take(),
    'datastore:SearchRecord',
    name,
    { ...picked('datastore', search.store), limit: search.limit, continueWhenNoRes: false },
    { filter: search.filter as unknown as JsonObject[], sort: [] },
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
