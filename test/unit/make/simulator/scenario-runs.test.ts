// How the simulator runs a scenario: operations, responses, routers, filters, bundles, error
// handlers, and the scheduling around runs (sequential processing, incomplete executions and their
// retries, deactivation) — each behaviour from the Make help page docs/make.md names for it.

import { HttpTransportError } from '../../../../src/http';
import { MakeSimulator, MakeUnsupportedError } from '../../../../src/make/simulator';
import { API, Modules, always, never, scenario, scriptedHttp } from './tiny-scenarios';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const deliver = (sim: MakeSimulator, body = '{}') => sim.deliver({ body });

describe('operations', () => {
  it('counts one per module that runs: the trigger always, routers, filters and error handlers never', async () => {
    const m = new Modules();
    const failing = m.http('down', true, {});
    failing.onerror = [m.directive('Ignore')];
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.set('a', '1'),
        m.router([m.set('b', '2', never)], [failing], [m.respond('200', 'ok')]),
      ]),
      baseUrls: API,
      http: scriptedHttp({ status: 500 }),
    });
    // webhook + set + the failing call + respond; the filtered module, router and Ignore are free.
    expect((await deliver(sim)).operations).toBe(4);
  });
});

describe('webhook responses', () => {
  it('the first "Webhook response" of the run is the answer', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.router([m.respond('201', 'first')], [m.respond('500', 'second')]),
      ]),
    });
    const result = await deliver(sim);
    expect([result.status, result.body, result.operations]).toEqual([201, 'first', 3]);
  });

  it('without one the caller gets Make\'s "Accepted"', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({ blueprint: scenario([m.webhook(), m.set('a', '1')]) });
    expect(await deliver(sim)).toMatchObject({ status: 200, body: 'Accepted' });
  });

  it('hands the raw body and the headers to the scenario (JSON pass-through, headers on)', async () => {
    const m = new Modules();
    const hook = m.webhook();
    const sim = new MakeSimulator({
      blueprint: scenario([
        hook,
        m.respond(
          '200',
          `{{${hook.id}.value}}|{{get(map(${hook.id}.__IMTHEADERS__; "value"; "name"; "x-a"); 1)}}`,
        ),
      ]),
    });
    const result = await sim.deliver({ body: '{"b": 1 }', headers: { 'X-A': 'yes' } });
    expect(result.body).toBe('{"b": 1 }|yes');
  });
});

describe('routers and filters', () => {
  it('run every route whose filter passes, in the listed order', async () => {
    const m = new Modules();
    const blueprint = scenario([
      m.webhook(),
      m.router(
        [m.respond('201', 'one', always)],
        [m.respond('202', 'skipped', never)],
        [m.respond('203', 'three')],
      ),
    ]);
    const listed = await deliver(new MakeSimulator({ blueprint }));
    expect(listed.status).toBe(201);
    const reversed = await deliver(
      new MakeSimulator({ blueprint, interpretation: { routeOrder: 'reversed' } }),
    );
    expect(reversed.status).toBe(203);
  });

  it('a failing filter ends that path only', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.router([m.set('x', '1', never), m.respond('500')], [m.respond('200')]),
      ]),
    });
    expect((await deliver(sim)).status).toBe(200);
  });

  it('a module with several bundles runs the rest of its path once per bundle', async () => {
    const m = new Modules();
    const hook = m.webhook();
    const parse = m.module(
      'json:ParseJSON',
      { json: `{{${hook.id}.value}}` },
      { parameters: { type: '' } },
    );
    const sim = new MakeSimulator({
      blueprint: scenario([hook, parse, m.set('each', `{{${parse.id}.n}}`)]),
    });
    // webhook + parse + set × 3
    expect((await deliver(sim, '[{"n":1},{"n":2},{"n":3}]')).operations).toBe(5);
  });
});

describe('error handlers', () => {
  function failing(m: Modules, handlers: ReturnType<Modules['module']>[]) {
    const call = m.http('down', true);
    call.onerror = handlers;
    return call;
  }
  const down = () => scriptedHttp({ status: 500, body: '{"message":"boom"}' });

  it("Ignore: the error ends the bundle's path, the rest of the run goes on", async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.router([failing(m, [m.directive('Ignore')]), m.respond('500')], [m.respond('200')]),
      ]),
      baseUrls: API,
      http: down(),
    });
    expect(await deliver(sim)).toMatchObject({ status: 200, parked: false });
    expect(sim.runs()[0]?.status).toBe('success');
  });

  it('a handler route without a directive ignores the error too; its modules see the error', async () => {
    const m = new Modules();
    const call = m.http('down', true);
    call.onerror = [m.respond('503', `{{${call.id}.error.type}}: {{${call.id}.error.message}}`)];
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), call]),
      baseUrls: API,
      http: down(),
    });
    expect(await deliver(sim)).toMatchObject({ status: 503, body: 'RuntimeError: [500] boom' });
  });

  it('Resume: the substitute output continues down the path', async () => {
    const m = new Modules();
    const call = failing(m, [m.directive('Resume', { data: 'substitute' })]);
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), call, m.respond('200', `{{${call.id}.data}}`)]),
      baseUrls: API,
      http: down(),
    });
    expect((await deliver(sim)).body).toBe('substitute');
  });

  it('Commit: the run stops there, successfully', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.router([failing(m, [m.directive('Commit')])], [m.respond('200')]),
      ]),
      baseUrls: API,
      http: down(),
    });
    expect(await deliver(sim)).toMatchObject({ status: 200, body: 'Accepted' });
    expect(sim.runs()[0]?.status).toBe('success');
  });

  it('Rollback: the run stops in error and, without auto-commit, its data store writes are undone', async () => {
    const m = new Modules();
    const add = m.module('datastore:AddRecord', { key: 'k', data: { v: '1' }, overwrite: true });
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), add, failing(m, [m.directive('Rollback')])], {
        autoCommit: false,
      }),
      dataStores: [{ name: 'store' }],
      baseUrls: API,
      http: down(),
    });
    await deliver(sim);
    expect(sim.runs()[0]?.status).toBe('error');
    expect(sim.records('store')).toEqual({});
  });

  it('Break: stores an incomplete execution Make retries `count` times, `interval` minutes apart', async () => {
    const m = new Modules();
    const http = scriptedHttp(
      { status: 500 },
      { status: 500 },
      { status: 200, body: '{"ok":true}' },
    );
    const sim = new MakeSimulator({
      blueprint: scenario(
        [
          m.webhook(),
          failing(m, [m.directive('Break', { retry: true, count: '3', interval: '15' })]),
        ],
        { dlq: true },
      ),
      baseUrls: API,
      http,
      now: () => T0,
    });
    expect(await deliver(sim)).toMatchObject({ parked: true, body: 'Accepted' });
    expect(sim.incompleteExecutions()).toMatchObject([
      { attempts: 0, nextRetryAt: T0 + 15 * MINUTE },
    ]);
    expect(await sim.advance(14 * MINUTE)).toEqual([]);
    await sim.advance(MINUTE);
    expect(sim.incompleteExecutions()).toMatchObject([
      { attempts: 1, nextRetryAt: T0 + 30 * MINUTE },
    ]);
    const retried = await sim.advance(15 * MINUTE);
    expect(retried.map((r) => [r.kind, r.status])).toEqual([['retry', 'success']]);
    expect(sim.incompleteExecutions()).toEqual([]);
    expect(http.requests).toHaveLength(3);
  });

  it('Break without incomplete executions allowed ends the run in error', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        failing(m, [m.directive('Break', { retry: true, count: '3', interval: '15' })]),
      ]),
      baseUrls: API,
      http: down(),
    });
    expect(await deliver(sim)).toMatchObject({ parked: false });
    expect(sim.runs()[0]?.status).toBe('error');
  });

  it('an error inside a handler route ends the run in error', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), failing(m, [m.http('also-down', true)])], { dlq: true }),
      baseUrls: API,
      http: down(),
    });
    await deliver(sim);
    expect(sim.runs()[0]?.status).toBe('error');
    expect(sim.incompleteExecutions()).toEqual([]);
  });
});

describe('unhandled errors and the schedule around runs', () => {
  it('without incomplete executions: the run ends in error; maxErrors in a row switch the scenario off', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), m.http('down', true), m.respond('200')], { maxErrors: 2 }),
      baseUrls: API,
      http: scriptedHttp({ status: 500 }, { status: 500 }, { status: 200 }),
    });
    await deliver(sim);
    await deliver(sim);
    expect(sim.isActive()).toBe(false);
    // Switched off, Make keeps deliveries in the webhook queue: "Accepted", processed later.
    expect(await deliver(sim)).toMatchObject({ status: 200, body: 'Accepted', queued: true });
    sim.activate();
    await sim.idle();
    expect(sim.runs().map((r) => r.status)).toEqual(['error', 'error', 'success']);
  });

  it('with incomplete executions and sequential processing: the run is stored, and the scenario waits for it', async () => {
    const m = new Modules();
    const http = scriptedHttp(new HttpTransportError('refused', false), { status: 200 });
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), m.http('flaky', true), m.respond('200', 'done')], {
        dlq: true,
        sequential: true,
      }),
      baseUrls: API,
      http,
      now: () => T0,
    });
    expect(await deliver(sim)).toMatchObject({ parked: true, body: 'Accepted' });
    // A ConnectionError is retried by Make itself, a minute later first.
    expect(sim.incompleteExecutions()).toMatchObject([
      { error: { type: 'ConnectionError' }, nextRetryAt: T0 + MINUTE },
    ]);
    // Meanwhile a delivery waits in the queue; its sender already has "Accepted".
    const waiting = await deliver(sim);
    expect(waiting).toMatchObject({ queued: true, body: 'Accepted' });
    const later = await sim.advance(MINUTE);
    expect(later.map((r) => [r.kind, r.status, r.answer?.body])).toEqual([
      ['retry', 'success', 'done'],
      ['delivery', 'success', 'done'],
    ]);
  });

  it('sequential processing runs deliveries one at a time, in arrival order', async () => {
    const m = new Modules();
    let inFlight = 0;
    let most = 0;
    const http = async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { status: 200, headers: {}, body: '' };
    };
    const flow = () => [m.webhook(), m.http('slow'), m.respond('200')];
    const sequential = new MakeSimulator({
      blueprint: scenario(flow(), { sequential: true }),
      baseUrls: API,
      http,
    });
    await Promise.all([1, 2, 3].map(() => deliver(sequential)));
    expect(most).toBe(1);
    most = 0;
    const parallel = new MakeSimulator({ blueprint: scenario(flow()), baseUrls: API, http });
    await Promise.all([1, 2, 3].map(() => deliver(parallel)));
    expect(most).toBe(3);
  });

  it('Sleep moves the virtual clock, not the real one', async () => {
    const m = new Modules();
    const sim = new MakeSimulator({
      blueprint: scenario([
        m.webhook(),
        m.module('util:FunctionSleep', { duration: '120' }),
        m.respond('200', '{{timestamp}}'),
      ]),
      now: () => T0,
    });
    expect((await deliver(sim)).body).toBe(String(T0 / 1000 + 120));
  });
});

describe('a run stopped part-way (an outage)', () => {
  const writeThenCall = (m: Modules) => {
    const add = m.module('datastore:AddRecord', { key: 'k', data: { v: '1' }, overwrite: true });
    const call = m.http('effect', true);
    const handler = m.respond('503', 'handled');
    call.onerror = [handler];
    const after = m.set('after', '1');
    return { handler, after, flow: [m.webhook(), add, call, after, m.respond('200', 'done')] };
  };

  it('runs nothing from the module it is stopped at on, and answers nothing', async () => {
    const m = new Modules();
    const { after, flow } = writeThenCall(m);
    const http = scriptedHttp({ status: 200 });
    const sim = new MakeSimulator({
      blueprint: scenario(flow),
      dataStores: [{ name: 'store' }],
      baseUrls: API,
      http,
    });
    const result = await sim.deliver({ body: '{}' }, { stopBefore: after.id });
    // The caller's connection drops: no status, no body; webhook + add + call ran.
    expect(result).toMatchObject({ status: 0, body: '', stopped: true, operations: 3 });
    expect(http.requests).toHaveLength(1);
    expect(sim.runs()[0]).toMatchObject({ status: 'stopped', stoppedAt: after.id });
  });

  it('stops inside an error route too', async () => {
    const m = new Modules();
    const { handler, flow } = writeThenCall(m);
    const sim = new MakeSimulator({
      blueprint: scenario(flow),
      dataStores: [{ name: 'store' }],
      baseUrls: API,
      http: scriptedHttp({ status: 500 }),
    });
    const result = await sim.deliver({ body: '{}' }, { stopBefore: handler.id });
    expect(result).toMatchObject({ status: 0, stopped: true });
  });

  it('keeps what an answer already told the caller', async () => {
    const m = new Modules();
    const last = m.set('last', '1');
    const sim = new MakeSimulator({
      blueprint: scenario([m.webhook(), m.respond('202', 'early'), last]),
    });
    const result = await sim.deliver({ body: '{}' }, { stopBefore: (module) => module === last });
    expect(result).toMatchObject({ status: 202, body: 'early', stopped: true });
  });

  it.each([
    ['auto-commit on, writes kept (the reading by default)', true, {}, { k: { v: '1' } }],
    [
      'auto-commit on, writes lost (the pessimistic reading)',
      true,
      { stoppedRunWrites: 'lost' as const },
      {},
    ],
    ['auto-commit off: no commit phase, nothing kept', false, {}, {}],
  ])('data store writes before the stop: %s', async (_, autoCommit, interpretation, records) => {
    const m = new Modules();
    const { after, flow } = writeThenCall(m);
    const sim = new MakeSimulator({
      blueprint: scenario(flow, { autoCommit }),
      dataStores: [{ name: 'store' }],
      baseUrls: API,
      http: scriptedHttp({ status: 200 }),
      interpretation,
    });
    await sim.deliver({ body: '{}' }, { stopBefore: after.id });
    expect(sim.records('store')).toEqual(records);
  });

  it('is no error of the scenario: the next delivery runs, and sequential processing goes on', async () => {
    const m = new Modules();
    const { after, flow } = writeThenCall(m);
    const sim = new MakeSimulator({
      blueprint: scenario(flow, { sequential: true, maxErrors: 1 }),
      dataStores: [{ name: 'store' }],
      baseUrls: API,
      http: scriptedHttp({ status: 200 }),
    });
    const [stopped, next] = await Promise.all([
      sim.deliver({ body: '{}' }, { stopBefore: after.id }),
      sim.deliver({ body: '{}' }),
    ]);
    expect([stopped.stopped, next.status, next.body]).toEqual([true, 200, 'done']);
    expect(sim.isActive()).toBe(true);
  });
});

describe('refusals', () => {
  it('names every module, operator, function and keyword it does not model, before any run', () => {
    const m = new Modules();
    const blueprint = scenario([
      m.webhook(),
      m.module('google-sheets:addRow', {}),
      m.set('x', '{{md5(1.value)}} {{pi}}', {
        name: 'f',
        conditions: [[{ a: '1', o: 'text:pattern', b: 'x' }]],
      }),
    ]);
    expect(() => new MakeSimulator({ blueprint })).toThrow(
      new MakeUnsupportedError([
        'module "google-sheets:addRow"',
        'filter operator "text:pattern"',
        'IML function "md5"',
        'IML keyword "pi"',
      ]),
    );
  });

  it('refuses a blueprint that is not one', () => {
    expect(() => new MakeSimulator({ blueprint: { flow: [] } })).toThrow(
      /not a valid Make blueprint/,
    );
  });
});
