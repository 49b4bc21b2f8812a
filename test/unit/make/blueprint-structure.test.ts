// The blueprint has the structure Make needs, judged against real exported blueprints
// (test/fixtures/make/, sources in SOURCES.md): the validator accepts every real example, so it is
// no stricter than Make, accepts ours, and rejects deliberately broken copies of ours.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MakeBlueprint, MakeModule } from '../../../src/make/blueprint-types';
import { buildBlueprint } from '../../../src/make/build-blueprint';
import type { BlueprintOptionsInput } from '../../../src/make/options';
import { moduleReferences, validateBlueprint } from '../../../src/make/validate-blueprint';

const EXAMPLES_DIR = join(__dirname, '../../fixtures/make');
const examples = readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8'))] as const);
// The full exports, as opposed to Make's sanitised authoring patterns (integromat-make-blueprints).
const realExports = examples.filter(([file]) => !file.startsWith('integromat-'));

const VARIANTS: Array<[string, BlueprintOptionsInput]> = [
  ['default options', {}],
  ['reschedule "move"', { reschedule: 'move' }],
  [
    'native Zoom bookings created, custom host and topic',
    {
      nativeZoom: 'create',
      zoomHost: 'host@example.com',
      topicTemplate: 'Call: {invitee}',
    },
  ],
];

function allModules(flow: MakeModule[]): MakeModule[] {
  return flow.flatMap((m) => [
    m,
    ...(m.routes ?? []).flatMap((r) => allModules(r.flow)),
    ...allModules(m.onerror ?? []),
  ]);
}
const copy = (blueprint: MakeBlueprint): MakeBlueprint => structuredClone(blueprint);
const find = (blueprint: MakeBlueprint, name: string): MakeModule => {
  const found = allModules(blueprint.flow).find((m) => m.metadata.designer.name === name);
  if (found === undefined) throw new Error(`No module named "${name}"`);
  return found;
};

describe('the validator, against real Make exports', () => {
  it.each(examples)('accepts %s', (_, example) => {
    expect(validateBlueprint(example)).toEqual([]);
  });

  it('finds module references the way Make maps them', () => {
    expect(moduleReferences('{{26.headers.`x-page`}} and {{map(1.items; "a.b")}} {{2.x}}')).toEqual(
      [1, 2, 26],
    );
    expect(moduleReferences('{{replace(3.name; /1.5/g; "2.x")}} / {{round(60000 / 60)}}')).toEqual([
      3,
    ]);
  });
});

describe.each(VARIANTS)('our blueprint (%s)', (_, options) => {
  const blueprint = buildBlueprint(options);
  const modules = allModules(blueprint.flow);

  it('passes the strict validator: known modules and versions, unique ids, references earlier on the path', () => {
    expect(validateBlueprint(blueprint, { strict: true })).toEqual([]);
  });

  it('names every module, and numbers them in the order they run', () => {
    for (const m of modules) expect(m.metadata.designer.name).toMatch(/\S/);
    const ids = modules.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts with the custom webhook and leaves hooks, keychains and data stores to the user', () => {
    expect(blueprint.flow[0]?.module).toBe('gateway:CustomWebHook');
    for (const m of modules) {
      expect(m.parameters ?? {}).not.toHaveProperty('hook');
      expect(m.parameters ?? {}).not.toHaveProperty('datastore');
      expect(m.parameters ?? {}).not.toHaveProperty('basicAuthKeychain');
      expect(m.parameters ?? {}).not.toHaveProperty('__IMTCONN__');
    }
  });

  it('checks the signature before anything else runs', () => {
    const [, settings, signature, check] = blueprint.flow;
    expect([settings?.module, signature?.module, check?.module]).toEqual([
      'util:SetVariables',
      'util:SetVariables',
      'builtin:BasicRouter',
    ]);
    const [reject, accept] = check?.routes ?? [];
    expect(reject?.flow.map((m) => m.module)).toEqual(['gateway:WebhookRespond']);
    expect(reject?.flow[0]?.mapper).toMatchObject({ status: '401' });
    expect(accept?.flow[0]?.module).toBe('json:ParseJSON');
    // Nothing that talks to Zoom or the data store sits before the check.
    expect(blueprint.flow.slice(0, 3).map((m) => m.module)).not.toContain('http:MakeRequest');
  });

  it('routes invitee.created and invitee.canceled with text:equal filters on the first modules', () => {
    const events = find(blueprint, 'invitee.created or invitee.canceled');
    const firstConditions = (events.routes ?? []).map((r) =>
      (r.flow[0]?.filter?.conditions ?? []).map((group) =>
        group.find((c) => c.o === 'text:equal' && c.a.endsWith('.event}}')),
      ),
    );
    expect(firstConditions).toHaveLength(2);
    for (const [i, value] of ['invitee.created', 'invitee.canceled'].entries()) {
      const groups = firstConditions[i] ?? [];
      expect(groups.length).toBeGreaterThan(0);
      // Every OR-branch of the filter requires the event type.
      for (const condition of groups) expect(condition?.b).toBe(value);
    }
  });

  it('parks retried Zoom calls with a Break handler (3 retries), and stores incomplete executions', () => {
    const retries = modules.filter((m) =>
      /\(retry (after 429|with new token)\)$/.test(m.metadata.designer.name ?? ''),
    );
    expect(retries.length).toBeGreaterThan(0);
    for (const retry of retries) {
      expect(retry.mapper).toMatchObject({ stopOnHttpError: true });
      expect(retry.onerror?.map((h) => [h.module, h.mapper])).toEqual([
        ['builtin:Break', { retry: true, count: '3', interval: '15' }],
      ]);
    }
    expect(blueprint.metadata.scenario.dlq).toBe(true);
    expect(blueprint.metadata.scenario.sequential).toBe(true);
  });

  it('fetches Zoom tokens with Basic auth from the S2S endpoint, and only when needed', () => {
    const fetches = modules.filter((m) =>
      (m.metadata.designer.name ?? '').startsWith('Zoom: fetch an access token'),
    );
    for (const f of fetches) {
      expect(f.parameters).toEqual({ authenticationType: 'basicAuth' });
      expect(f.mapper?.url).toMatch(
        /^https:\/\/zoom\.us\/oauth\/token\?grant_type=account_credentials&account_id=\{\{2\.zoom_account_id\}\}$/,
      );
      // Every fetch sits behind a filter: no token saved, token 55+ min old, or Zoom said 401.
      // Never one token per run.
      expect(f.filter?.name).toMatch(
        /^(No token saved yet|Saved token is 55\+ minutes old|401: token rejected)/,
      );
    }
    const noTokenRoutes = modules.filter((m) => m.filter?.name === 'No token saved yet');
    const staleRoutes = modules.filter((m) => m.filter?.name === 'Saved token is 55+ minutes old');
    expect(noTokenRoutes.length).toBe(staleRoutes.length);
    expect(noTokenRoutes.length).toBeGreaterThan(0);
  });

  it('keys bookings on the scheduled event UUID and stores the meeting id as text', () => {
    const facts = blueprint.flow[3]?.routes?.[1]?.flow[1];
    expect(facts?.metadata.designer.name).toMatch(/^Booking facts/);
    const store = modules.filter((m) =>
      (m.metadata.designer.name ?? '').includes('store the meeting'),
    );
    expect(store.length).toBeGreaterThan(0);
    for (const m of store) {
      expect(m.mapper?.key).toBe(`{{${facts?.id}.event_uuid}}`);
      expect((m.mapper?.data as Record<string, string>).meeting_id).toMatch(
        /^\{\{\d+\.data\.id\}\}$/,
      );
    }
  });
});

describe('shape, compared with real exports', () => {
  const ours = buildBlueprint();

  it('has the same top-level keys as a real export', () => {
    for (const [, example] of realExports) {
      expect(Object.keys(ours).sort()).toEqual(Object.keys(example).sort());
    }
  });

  it('has the same metadata and scenario settings keys as a real export', () => {
    for (const [, example] of realExports) {
      const metadataKeys = Object.keys(example.metadata).filter((k) => k !== 'zone');
      expect(Object.keys(ours.metadata).sort()).toEqual(metadataKeys.sort());
      expect(Object.keys(ours.metadata.scenario).sort()).toEqual(
        Object.keys(example.metadata.scenario).sort(),
      );
    }
  });

  it('writes module keys in the order Make exports them', () => {
    const order = [
      'id',
      'module',
      'version',
      'parameters',
      'filter',
      'mapper',
      'metadata',
      'routes',
      'onerror',
    ];
    for (const m of allModules(ours.flow)) {
      const keys = Object.keys(m);
      expect(keys).toEqual(order.filter((k) => keys.includes(k)));
    }
  });
});

describe('the validator rejects broken copies of our blueprint', () => {
  const good = buildBlueprint();
  const events = (bp: MakeBlueprint): MakeModule => find(bp, 'invitee.created or invitee.canceled');

  it.each<[string, (bp: MakeBlueprint) => void, RegExp]>([
    [
      'a duplicate id',
      (bp) => {
        (bp.flow[2] as MakeModule).id = 1;
      },
      /id 1 is used twice/,
    ],
    [
      'a string id',
      (bp) => {
        (bp.flow[1] as unknown as { id: string }).id = '2';
      },
      /"id" must be a positive integer/,
    ],
    [
      'an unknown module',
      (bp) => {
        (bp.flow[1] as MakeModule).module = 'util:SetVariablez';
      },
      /unknown module util:SetVariablez/,
    ],
    [
      'a wrong version',
      (bp) => {
        find(bp, 'Zoom: create the meeting').version = 3;
      },
      /http:MakeRequest is version 4/,
    ],
    [
      'missing designer metadata',
      (bp) => {
        (bp.flow[1] as unknown as { metadata: object }).metadata = {};
      },
      /metadata.designer" is missing/,
    ],
    [
      'an unknown filter operator',
      (bp) => {
        const first = events(bp).routes?.[0]?.flow[0];
        if (first?.filter?.conditions[0]?.[0]) first.filter.conditions[0][0].o = 'text:equals';
      },
      /unknown filter operator "text:equals"/,
    ],
    [
      'a filter on the trigger',
      (bp) => {
        (bp.flow[0] as MakeModule).filter = { name: 'x', conditions: [[{ a: '1', o: 'exist' }]] };
      },
      /first module of a scenario cannot have a filter/,
    ],
    [
      'a reference to a later module',
      (bp) => {
        (bp.flow[1] as MakeModule).mapper = {
          scope: 'roundtrip',
          variables: [{ name: 'x', value: '{{3.t}}' }],
        };
      },
      /maps \{\{3\.…\}\}, but module 3 does not run before it/,
    ],
    [
      'a reference into another route',
      (bp) => {
        const [created, canceled] = events(bp).routes ?? [];
        const createdFirst = created?.flow[0]?.id;
        const cancelFirst = canceled?.flow[0];
        if (cancelFirst?.mapper) cancelFirst.mapper.key = `{{${createdFirst}.exist}}`;
      },
      /does not run before it on this path/,
    ],
    [
      'a router without routes',
      (bp) => {
        events(bp).routes = [];
      },
      /router needs at least one route/,
    ],
    [
      'a router that is not last in its flow',
      (bp) => {
        const route = events(bp).routes?.[0];
        if (route) route.flow.push(structuredClone(bp.flow[1] as MakeModule));
      },
      /router must be the last module|used twice/,
    ],
    [
      'an error handler that ends without a directive',
      (bp) => {
        const retry = find(bp, 'Zoom: create the meeting (retry after 429)');
        if (retry.onerror?.[0]) retry.onerror[0].module = 'util:FunctionSleep';
      },
      /must end with a directive/,
    ],
    [
      'a Break with no retry count',
      (bp) => {
        const handler = find(bp, 'Zoom: create the meeting (retry after 429)').onerror?.[0];
        if (handler?.mapper) handler.mapper.count = '';
      },
      /retrying Break needs a positive whole "count"/,
    ],
    [
      'a directive outside an error handler',
      (bp) => {
        const route = events(bp).routes?.[1];
        if (route?.flow[0]) route.flow[0].module = 'builtin:Ignore';
      },
      /error handler directive, outside an error handler/,
    ],
    [
      'no metadata',
      (bp) => {
        delete (bp as Partial<MakeBlueprint>).metadata;
      },
      /"metadata" must be an object/,
    ],
  ])('%s', (_, breakIt, expected) => {
    const broken = copy(good);
    breakIt(broken);
    const problems = validateBlueprint(broken, { strict: true });
    expect(problems.join('\n')).toMatch(expected);
  });
});
