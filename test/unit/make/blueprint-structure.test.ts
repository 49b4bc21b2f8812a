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

  it('checks the signature in the first router, before anything but the webhook runs', () => {
    const [, check] = blueprint.flow;
    expect(blueprint.flow).toHaveLength(2);
    expect(check?.module).toBe('builtin:BasicRouter');
    const [reject, accept] = check?.routes ?? [];
    expect(reject?.flow.map((m) => m.module)).toEqual(['gateway:WebhookRespond']);
    expect(reject?.flow[0]?.mapper).toMatchObject({ status: '401' });
    expect(accept?.flow[0]?.module).toBe('json:ParseJSON');
  });

  it('routes invitee.created and invitee.canceled with text:equal filters on the first modules', () => {
    const events = find(blueprint, 'invitee.created or invitee.canceled');
    for (const value of ['invitee.created', 'invitee.canceled']) {
      const routes = (events.routes ?? []).filter((r) => r.flow[0]?.filter?.name.startsWith(value));
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        // Every OR-branch of the filter requires the event type.
        for (const group of route.flow[0]?.filter?.conditions ?? []) {
          expect(group).toContainEqual({
            a: expect.stringMatching(/\.event\}\}$/),
            o: 'text:equal',
            b: value,
          });
        }
      }
    }
  });

  it('never stores an incomplete execution: no Break, incomplete executions off, sequential on', () => {
    expect(modules.map((m) => m.module)).not.toContain('builtin:Break');
    expect(blueprint.metadata.scenario.dlq).toBe(false);
    expect(blueprint.metadata.scenario.sequential).toBe(true);
  });

  it('handles the errors of every module that can fail, and reports every HTTP status', () => {
    for (const m of modules.filter((m) => /^(http|datastore|json):/.test(m.module))) {
      expect([m.id, m.onerror?.length ?? 0]).not.toEqual([m.id, 0]);
    }
    for (const m of modules.filter((m) => m.module === 'http:MakeRequest')) {
      expect(m.mapper).toMatchObject({ stopOnHttpError: false });
    }
  });

  it('fetches a Zoom token with Basic auth from the S2S endpoint right where a call needs it', () => {
    const fetches = modules.filter((m) =>
      (m.metadata.designer.name ?? '').startsWith('Zoom: get an access token'),
    );
    expect(fetches.length).toBeGreaterThan(0);
    for (const f of fetches) {
      expect(f.parameters).toEqual({ authenticationType: 'basicAuth' });
      expect(f.mapper?.url).toBe('https://zoom.us/oauth/token');
    }
    // No token store: a cached token would cost more data store operations than it saves.
    expect(JSON.stringify(blueprint)).not.toMatch(/access_token"/);
  });

  it('keys bookings on the scheduled event UUID and stores the meeting id as text', () => {
    const parse = find(blueprint, 'Parse the Calendly payload');
    const store = modules.filter((m) =>
      (m.metadata.designer.name ?? '').includes('store the meeting'),
    );
    expect(store.length).toBeGreaterThan(0);
    for (const m of store) {
      expect(m.mapper?.key).toBe(`{{last(split(${parse.id}.payload.scheduled_event.uri; "/"))}}`);
      expect((m.mapper?.data as Record<string, string>).meeting_id).toMatch(
        // From the create, from the record it moves, or found in Zoom's list by its marker.
        /^\{\{(\d+\.data\.id|\d+\.meeting_id|first\(map\(\d+\.data\.meetings; "id"; .*\)\))\}\}$/,
      );
    }
  });

  it('writes the Make ids it is given into the modules that need them', () => {
    const filled = allModules(
      buildBlueprint({ ...options, makeIds: { hook: 5, bookingsStore: 6, zoomKeychain: 7 } }).flow,
    );
    expect(filled[0]?.parameters).toMatchObject({ hook: 5 });
    for (const m of filled.filter((m) => m.module.startsWith('datastore:'))) {
      expect(m.parameters).toMatchObject({ datastore: 6 });
    }
    for (const m of filled.filter((m) => m.parameters?.authenticationType === 'basicAuth')) {
      expect(m.parameters).toMatchObject({ basicAuthKeychain: 7 });
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
        (bp.flow[1] as MakeModule).id = 1;
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
      'a directive that does not end its error handler route',
      (bp) => {
        const create = find(bp, 'Zoom: create the meeting');
        create.onerror = [
          {
            id: 9001,
            module: 'builtin:Ignore',
            version: 1,
            metadata: { designer: { x: 0, y: 0, name: 'x' } },
          },
          ...(create.onerror ?? []),
        ];
      },
      /a directive must be the last module of its error handler route/,
    ],
    [
      'a Break with no retry count',
      (bp) => {
        find(bp, 'Zoom: create the meeting').onerror = [
          {
            id: 9002,
            module: 'builtin:Break',
            version: 1,
            mapper: { retry: true, count: '', interval: '15' },
            metadata: { designer: { x: 0, y: 0, name: 'x' } },
          },
        ];
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
