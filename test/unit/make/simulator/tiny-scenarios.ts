// Small hand-written blueprints for the simulator's own tests.

import type { HttpClient, HttpRequest, HttpResponse } from '../../../../src/http';
import type {
  JsonObject,
  MakeBlueprint,
  MakeFilter,
  MakeModule,
  MakeScenarioSettings,
} from '../../../../src/make/blueprint-types';
import { scenarioMetadata } from '../../../../src/make/scenario-metadata';

const VERSIONS: Record<string, number> = { 'http:MakeRequest': 4 };

export class Modules {
  private next = 1;

  module(module: string, mapper: JsonObject = {}, extra: Partial<MakeModule> = {}): MakeModule {
    return {
      id: this.next++,
      module,
      version: VERSIONS[module] ?? 1,
      parameters: {},
      mapper,
      metadata: { designer: { x: 0, y: 0 } },
      ...extra,
    };
  }

  webhook(): MakeModule {
    return this.module('gateway:CustomWebHook', {}, { parameters: { maxResults: 1 } });
  }

  respond(status: string, body = '', filter?: MakeFilter): MakeModule {
    return this.module(
      'gateway:WebhookRespond',
      { status, body, headers: [] },
      filter ? { filter } : {},
    );
  }

  set(name: string, value: string, filter?: MakeFilter): MakeModule {
    return this.module(
      'util:SetVariable2',
      { name, value, scope: 'roundtrip' },
      filter ? { filter } : {},
    );
  }

  router(...routes: MakeModule[][]): MakeModule {
    return {
      id: this.next++,
      module: 'builtin:BasicRouter',
      version: 1,
      mapper: null,
      metadata: { designer: { x: 0, y: 0 } },
      routes: routes.map((flow) => ({ flow })),
    };
  }

  directive(
    name: 'Ignore' | 'Resume' | 'Commit' | 'Rollback' | 'Break',
    mapper?: JsonObject,
  ): MakeModule {
    return {
      id: this.next++,
      module: `builtin:${name}`,
      version: 1,
      ...(mapper === undefined ? {} : { mapper }),
      metadata: { designer: { x: 0, y: 0 } },
    };
  }

  /** An HTTP call to https://api.example.com/<path>. */
  http(path: string, stopOnHttpError = false, extra: Partial<MakeModule> = {}): MakeModule {
    return this.module(
      'http:MakeRequest',
      {
        url: `https://api.example.com/${path}`,
        method: 'get',
        headers: [],
        parseResponse: true,
        stopOnHttpError,
      },
      { parameters: { authenticationType: 'noAuth' }, ...extra },
    );
  }
}

export function scenario(
  flow: MakeModule[],
  settings: Partial<MakeScenarioSettings> = {},
): MakeBlueprint {
  const metadata = scenarioMetadata({ instant: true, sequential: false });
  return {
    name: 'tiny',
    flow,
    metadata: { ...metadata, scenario: { ...metadata.scenario, ...settings } },
  };
}

export const always: MakeFilter = {
  name: 'always',
  conditions: [[{ a: '1', o: 'text:equal', b: '1' }]],
};
export const never: MakeFilter = {
  name: 'never',
  conditions: [[{ a: '1', o: 'text:equal', b: '2' }]],
};

/** An HTTP stand-in answering from a script, one answer per request in order (the last repeats). */
export function scriptedHttp(...answers: Array<Partial<HttpResponse> | Error>): HttpClient & {
  requests: HttpRequest[];
} {
  const requests: HttpRequest[] = [];
  const client = async (request: HttpRequest): Promise<HttpResponse> => {
    requests.push(request);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] ?? {};
    if (answer instanceof Error) throw answer;
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}', ...answer };
  };
  return Object.assign(client, { requests });
}

export const API = { 'https://api.example.com': 'http://127.0.0.1:9' };
