// The modelled modules, one behaviour each: HTTP "Make a request" (auth, body, statuses, errors)
// and the data store modules (typing by the data structure, size limit, and the readings of the
// behaviours Make does not document).

import { HttpTransportError } from '../../../../src/http';
import type { MakeDataStructure, MakeModule } from '../../../../src/make/blueprint-types';
import { MakeSimulator, type MakeInterpretation } from '../../../../src/make/simulator';
import { API, Modules, scenario, scriptedHttp } from './tiny-scenarios';

const deliver = (sim: MakeSimulator) => sim.deliver({ body: '{}' });

describe('http:MakeRequest', () => {
  function run(
    call: MakeModule,
    http: ReturnType<typeof scriptedHttp>,
    m: Modules,
    keychains = {},
  ) {
    const respond = m.respond('200', `{{${call.id}.statusCode}} {{${call.id}.data.id}}`);
    call.onerror = [m.respond('599', `{{${call.id}.error.type}}|{{${call.id}.error.message}}`)];
    return deliver(
      new MakeSimulator({
        blueprint: scenario([m.webhook(), call, respond]),
        baseUrls: API,
        http,
        keychains,
      }),
    );
  }

  it('sends to the stand-in, with query, headers and a JSON body, and outputs {statusCode, headers, data}', async () => {
    const m = new Modules();
    const call = m.module(
      'http:MakeRequest',
      {
        url: 'https://api.example.com/v2/things',
        method: 'post',
        headers: [{ name: 'X-Trace', value: 'abc' }],
        queryParameters: [{ name: 'page_size', value: '300' }],
        contentType: 'json',
        inputMethod: 'jsonString',
        jsonStringBodyContent: '{"n": {{1 + 1}}}',
        parseResponse: true,
        stopOnHttpError: false,
      },
      { parameters: { authenticationType: 'noAuth' } },
    );
    const http = scriptedHttp({ status: 201, body: '{"id": 85000000001}' });
    expect((await run(call, http, m)).body).toBe('201 85000000001');
    expect(http.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:9/v2/things?page_size=300',
      headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      body: '{"n": 2}',
    });
  });

  it('signs Basic auth with the keychain picked (or the one given for any module)', async () => {
    const m = new Modules();
    const call = m.http('token', false, {
      parameters: { authenticationType: 'basicAuth', basicAuthKeychain: 7 },
    });
    const http = scriptedHttp({});
    await run(call, http, m, { 7: { username: 'id', password: 'secret' } });
    expect(http.requests[0]?.headers?.authorization).toBe(
      `Basic ${Buffer.from('id:secret').toString('base64')}`,
    );
  });

  it('fails with InvalidConfigurationError when no keychain is picked', async () => {
    const m = new Modules();
    const call = m.http('token', false, { parameters: { authenticationType: 'basicAuth' } });
    expect((await run(call, scriptedHttp({}), m)).body).toBe(
      'InvalidConfigurationError|No Basic auth keychain is selected.',
    );
  });

  it('refuses to send a body that is not JSON (DataError)', async () => {
    const m = new Modules();
    const call = m.http('x');
    Object.assign(call.mapper ?? {}, {
      contentType: 'json',
      inputMethod: 'jsonString',
      jsonStringBodyContent: '{"a": }',
    });
    const http = scriptedHttp({});
    expect((await run(call, http, m)).body).toMatch(
      /^DataError\|The request body is not valid JSON/,
    );
    expect(http.requests).toHaveLength(0);
  });

  it.each([
    [429, 'RateLimitError'],
    [503, 'ConnectionError'],
    [504, 'ConnectionError'],
    [400, 'RuntimeError'],
    [404, 'RuntimeError'],
  ])('with "evaluate all states as errors", answers %i as a %s', async (status, type) => {
    const m = new Modules();
    const result = await run(
      m.http('x', true),
      scriptedHttp({ status, body: '{"message":"no"}' }),
      m,
    );
    expect(result.body).toBe(`${type}|[${status}] no`);
  });

  it('without it, reports every status as output', async () => {
    const m = new Modules();
    expect((await run(m.http('x'), scriptedHttp({ status: 404, body: '{"id": 3}' }), m)).body).toBe(
      '404 3',
    );
  });

  it.each([
    ['a timeout', new HttpTransportError('timed out', true), 'ModuleTimeoutError'],
    ['a refused connection', new HttpTransportError('refused', false), 'ConnectionError'],
  ])('turns a request without an answer into an error: %s', async (_, failure, type) => {
    const m = new Modules();
    expect((await run(m.http('x'), scriptedHttp(failure), m)).body).toMatch(
      new RegExp(`^${type}\\|`),
    );
  });

  it('never sends a request to a service it has no stand-in for', async () => {
    const m = new Modules();
    const call = m.module(
      'http:MakeRequest',
      { url: 'https://elsewhere.example.com/x', method: 'get', stopOnHttpError: false },
      { parameters: { authenticationType: 'noAuth' } },
    );
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), call]),
      baseUrls: API,
      http: scriptedHttp({}),
    });
    await expect(deliver(sim)).rejects.toThrow(/no stand-in for https:\/\/elsewhere\.example\.com/);
  });
});

const structure: MakeDataStructure = {
  name: 'thing',
  strict: true,
  spec: [
    { name: 'name', type: 'text', label: 'Name', required: true },
    { name: 'count', type: 'number', label: 'Count' },
    { name: 'when', type: 'date', label: 'When' },
    { name: 'ok', type: 'boolean', label: 'OK' },
  ],
};

describe('data store modules', () => {
  function store(
    modules: (m: Modules) => MakeModule[],
    options: {
      interpretation?: Partial<MakeInterpretation>;
      maxSizeBytes?: number;
      sequential?: boolean;
    } = {},
  ): MakeSimulator {
    const m = new Modules();
    return new MakeSimulator({
      blueprint: scenario([m.webhook(), ...modules(m)], {
        sequential: options.sequential ?? false,
      }),
      dataStructures: [structure],
      dataStores: [{ name: 'things', structure: 'thing', maxSizeBytes: options.maxSizeBytes }],
      interpretation: options.interpretation,
    });
  }
  const add = (m: Modules, data: Record<string, string>, overwrite = true, key = 'k') =>
    m.module('datastore:AddRecord', { key, data, overwrite });
  /** The module's error, answered as "type|message" (or the run's own answer). */
  const answeringErrors = (m: Modules, module: MakeModule): MakeModule[] => {
    module.onerror = [
      m.respond('599', `{{${module.id}.error.type}}|{{${module.id}.error.message}}`),
    ];
    return [module];
  };

  it('types a record by its data structure', async () => {
    const sim = store((m) => [
      add(m, { name: 'a', count: '12', when: '2026-01-02T03:04:05Z', ok: 'true' }),
    ]);
    await deliver(sim);
    expect(sim.records('things')).toEqual({
      k: { name: 'a', count: 12, when: '2026-01-02T03:04:05.000Z', ok: true },
    });
  });

  it.each([
    [
      'a field the strict structure lacks',
      { name: 'a', extra: 'x' },
      /is strict and has no field extra/,
    ],
    ['a required field left empty', { count: '1' }, /Missing value of required parameter 'name'/],
    ['a number that is not one', { name: 'a', count: 'many' }, /'many' is not a valid number/],
  ])('refuses %s (DataError)', async (_, data, message) => {
    const sim = store((m) => answeringErrors(m, add(m, data)));
    const result = await deliver(sim);
    expect(result.body).toMatch(/^DataError\|/);
    expect(result.body).toMatch(message);
    expect(sim.records('things')).toEqual({});
  });

  it("refuses a write that would pass the store's size", async () => {
    const sim = store((m) => answeringErrors(m, add(m, { name: 'x'.repeat(300) })), {
      maxSizeBytes: 200,
    });
    expect((await deliver(sim)).body).toMatch(/^DataError\|The data store "things" is full/);
  });

  it('Add with overwrite off refuses an existing key (DuplicateDataError), or ignores it if Make does that', async () => {
    const twice = (interpretation?: Partial<MakeInterpretation>) =>
      store(
        (m) => [
          add(m, { name: 'first' }, false),
          ...answeringErrors(m, add(m, { name: 'second' }, false)),
        ],
        {
          interpretation,
        },
      );
    const strict = twice();
    expect((await deliver(strict)).body).toBe(
      'DuplicateDataError|A record with the key "k" already exists.',
    );
    const lenient = twice({ addExistingKey: 'ignore' });
    await deliver(lenient);
    expect(lenient.records('things')).toEqual({ k: { name: 'first' } });
  });

  it('plays a non-atomic Add: two parallel runs can both insert the same key', async () => {
    const racing = (atomicAdd: boolean) =>
      store((m) => answeringErrors(m, add(m, { name: 'x' }, false)), {
        interpretation: { atomicAdd },
      });
    const atomic = racing(true);
    const atomicAnswers = await Promise.all([deliver(atomic), deliver(atomic)]);
    expect(atomicAnswers.filter((a) => a.body.startsWith('DuplicateDataError'))).toHaveLength(1);
    const racy = racing(false);
    const racyAnswers = await Promise.all([deliver(racy), deliver(racy)]);
    expect(racyAnswers.filter((a) => a.body.startsWith('DuplicateDataError'))).toHaveLength(0);
  });

  it.each([
    ['empty', 'got: []'],
    ['no-bundle', 'Accepted'],
    ['error', 'DataError|Record "missing" not found.'],
  ] as const)('plays "Get a record" of a missing key as %s', async (getMissingRecord, answer) => {
    const sim = store(
      (m) => {
        const get = m.module('datastore:GetRecord', { key: 'missing', returnWrapped: false });
        return [...answeringErrors(m, get), m.respond('200', `got: [{{${get.id}.name}}]`)];
      },
      { interpretation: { getMissingRecord } },
    );
    expect((await deliver(sim)).body).toBe(answer);
  });

  it('Update changes the given fields; with upsert it inserts, without it refuses a missing key', async () => {
    const update = (m: Modules, upsert: boolean) =>
      m.module('datastore:UpdateRecord', {
        key: 'k',
        data: { count: '2' },
        upsert,
        overwriteArrays: false,
      });
    const existing = store((m) => [add(m, { name: 'a', count: '1' }), update(m, false)]);
    await deliver(existing);
    expect(existing.records('things')).toEqual({ k: { name: 'a', count: 2 } });
    const missing = store((m) => answeringErrors(m, update(m, false)));
    expect((await deliver(missing)).body).toBe('DataError|Record "k" not found.');
  });

  it('Exist, Delete and Search', async () => {
    const sim = store((m) => {
      const search = m.module(
        'datastore:SearchRecord',
        { filter: [[{ a: 'count', o: 'number:less', b: '{{5}}' }]], sort: [] },
        { parameters: { limit: 10, continueWhenNoRes: false } },
      );
      const exists = m.module('datastore:ExistRecord', { key: 'b' });
      return [
        add(m, { name: 'a', count: '1' }, true, 'a'),
        add(m, { name: 'b', count: '9' }, true, 'b'),
        add(m, { name: 'c', count: '3' }, true, 'c'),
        m.module('datastore:DeleteRecord', { key: 'c' }),
        exists,
        search,
        m.respond('200', `{{${exists.id}.exist}} {{${search.id}.key}}={{${search.id}.data.count}}`),
      ];
    });
    expect((await deliver(sim)).body).toBe('true a=1');
  });
});
