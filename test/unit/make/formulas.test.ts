// The blueprint's own Make formulas, evaluated. A small interpreter below implements just the
// part of Make's formula language the blueprint uses (semantics from Make's function reference:
// 1-based `get`, `;` separators, `+` adds numbers and joins text, `timestamp` is Unix seconds), so
// the signature check is tested against Calendly's worked vector exactly as Make would run it.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCalendlyPayload } from '../../../src/calendly/signature';
import { meetingMarker } from '../../../src/lifecycle';
import type { MakeFilter, MakeModule } from '../../../src/make/blueprint-types';
import { buildBlueprint, PASTE_SIGNING_KEY } from '../../../src/make/build-blueprint';
import { CALENDLY_TIME_FORMAT } from '../../../src/make/formula';
import type { BlueprintOptionsInput } from '../../../src/make/options';

// ---------------------------------------------------------------------------------------------
// A tiny Make formula interpreter.

type Value = unknown;
interface Scope {
  modules: Record<number, Record<string, Value>>;
  now: Date;
}

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'regex'; value: RegExp }
  | { kind: 'ref'; module: number; path: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let rest = source;
  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    return last === undefined || (last.kind === 'op' && (last.value === '(' || last.value === ';'));
  };
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const take = (re: RegExp): RegExpExecArray | null => {
      const m = re.exec(rest);
      if (m !== null) rest = rest.slice(m[0].length);
      return m;
    };
    let m: RegExpExecArray | null;
    if ((m = take(/^(\d+)\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)/)) !== null) {
      tokens.push({ kind: 'ref', module: Number(m[1]), path: (m[2] ?? '').split('.') });
    } else if ((m = take(/^\d+(\.\d+)?/)) !== null) {
      tokens.push({ kind: 'num', value: Number(m[0]) });
    } else if ((m = take(/^"([^"]*)"/)) !== null) {
      tokens.push({ kind: 'str', value: m[1] ?? '' });
    } else if (regexAllowed() && (m = take(/^\/((?:\\.|[^/\\])+)\/([a-z]*)/)) !== null) {
      tokens.push({ kind: 'regex', value: new RegExp(m[1] ?? '', m[2]) });
    } else if ((m = take(/^[A-Za-z_]\w*/)) !== null) {
      tokens.push({ kind: 'ident', name: m[0] });
    } else if ((m = take(/^(!=|<=|>=|[-+*/()=<>;])/)) !== null) {
      tokens.push({ kind: 'op', value: m[0] });
    } else {
      throw new Error(`Cannot read formula at: ${rest}`);
    }
  }
  return tokens;
}

class Interpreter {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly scope: Scope,
  ) {}

  run(): Value {
    const value = this.comparison();
    if (this.pos !== this.tokens.length) throw new Error('Trailing tokens in formula');
    return value;
  }

  private peekOp(...ops: string[]): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' && ops.includes(t.value) ? t.value : undefined;
  }

  private expectOp(op: string): void {
    if (this.peekOp(op) === undefined) throw new Error(`Expected "${op}"`);
    this.pos++;
  }

  private comparison(): Value {
    const left = this.additive();
    const op = this.peekOp('=', '!=', '<', '>', '<=', '>=');
    if (op === undefined) return left;
    this.pos++;
    const right = this.additive();
    switch (op) {
      case '=':
        return String(left) === String(right);
      case '!=':
        return String(left) !== String(right);
      case '<':
        return Number(left) < Number(right);
      case '>':
        return Number(left) > Number(right);
      case '<=':
        return Number(left) <= Number(right);
      default:
        return Number(left) >= Number(right);
    }
  }

  private additive(): Value {
    let value = this.multiplicative();
    for (let op = this.peekOp('+', '-'); op !== undefined; op = this.peekOp('+', '-')) {
      this.pos++;
      const right = this.multiplicative();
      if (op === '+') {
        value =
          typeof value === 'number' && typeof right === 'number'
            ? value + right
            : `${text(value)}${text(right)}`;
      } else {
        value = numeric(value) - numeric(right);
      }
    }
    return value;
  }

  private multiplicative(): Value {
    let value = this.unary();
    for (let op = this.peekOp('*', '/'); op !== undefined; op = this.peekOp('*', '/')) {
      this.pos++;
      const right = this.unary();
      value = op === '*' ? numeric(value) * numeric(right) : numeric(value) / numeric(right);
    }
    return value;
  }

  private unary(): Value {
    if (this.peekOp('-') !== undefined) {
      this.pos++;
      return -numeric(this.unary());
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new Error('Unexpected end of formula');
    switch (t.kind) {
      case 'num':
      case 'str':
      case 'regex':
        return t.value;
      case 'ref':
        return t.path.reduce<Value>(
          (v, key) => (isObject(v) ? v[key] : undefined),
          this.scope.modules[t.module],
        );
      case 'op':
        if (t.value !== '(') throw new Error(`Unexpected "${t.value}"`);
        {
          const value = this.comparison();
          this.expectOp(')');
          return value;
        }
      case 'ident': {
        if (this.peekOp('(') === undefined) return this.variable(t.name);
        this.pos++;
        const args: Value[] = [];
        if (this.peekOp(')') === undefined) {
          args.push(this.comparison());
          while (this.peekOp(';') !== undefined) {
            this.pos++;
            args.push(this.comparison());
          }
        }
        this.expectOp(')');
        return this.call(t.name, args);
      }
    }
  }

  private variable(name: string): Value {
    if (name === 'now') return this.scope.now;
    if (name === 'timestamp') return Math.floor(this.scope.now.getTime() / 1000);
    if (name === 'true' || name === 'false') return name === 'true';
    throw new Error(`Unknown variable ${name}`);
  }

  private call(name: string, args: Value[]): Value {
    const [a, b, c, d] = args;
    switch (name) {
      case 'get': {
        if (Array.isArray(a)) return a[numeric(b) - 1];
        return isObject(a) ? a[text(b)] : undefined;
      }
      case 'map':
        return Array.isArray(a)
          ? a
              .filter((item) => c === undefined || (isObject(item) && item[text(c)] === d))
              .map((item) => (isObject(item) ? item[text(b)] : undefined))
          : [];
      case 'split':
        return isEmpty(a) ? [] : text(a).split(text(b));
      case 'last':
        return Array.isArray(a) ? a[a.length - 1] : undefined;
      case 'replace':
        return b instanceof RegExp
          ? text(a).replace(b, text(c))
          : text(a).split(text(b)).join(text(c));
      case 'trim':
        return text(a).trim();
      case 'ifempty':
        return isEmpty(a) ? b : a;
      case 'if':
        return a === true || a === 'true' ? b : c;
      case 'switch': {
        for (let i = 1; i + 1 < args.length; i += 2)
          if (text(a) === text(args[i])) return args[i + 1];
        return args.length % 2 === 0 ? args[args.length - 1] : undefined;
      }
      case 'round':
        return Math.round(numeric(a));
      case 'substring':
        return text(a).substring(numeric(b), numeric(c));
      case 'sha256': {
        if (text(b) !== 'hex') throw new Error('Only hex output is implemented');
        const hash = c === undefined ? null : createHmac('sha256', text(c));
        return hash === null ? '' : hash.update(text(a), 'utf8').digest('hex');
      }
      case 'parseDate': {
        if (b !== CALENDLY_TIME_FORMAT) throw new Error(`Unsupported parse format ${text(b)}`);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(text(a))) return undefined;
        return new Date(text(a));
      }
      case 'formatDate': {
        if (!(a instanceof Date)) return '';
        if (c !== undefined && c !== 'UTC') throw new Error('Only UTC is implemented');
        const iso = a.toISOString();
        return text(b)
          .replace('YYYY', iso.slice(0, 4))
          .replace('MM', iso.slice(5, 7))
          .replace('DD', iso.slice(8, 10))
          .replace('HH', iso.slice(11, 13))
          .replace('mm', iso.slice(14, 16))
          .replace('ss', iso.slice(17, 19))
          .replace(/^X$/, String(Math.floor(a.getTime() / 1000)));
      }
      case 'addMinutes':
        return new Date((a as Date).getTime() + numeric(b) * 60_000);
      default:
        throw new Error(`Function ${name} is not implemented in this test`);
    }
  }
}

function isObject(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
function isEmpty(v: Value): boolean {
  return v === undefined || v === null || v === '';
}
function text(v: Value): string {
  if (isEmpty(v)) return '';
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
function numeric(v: Value): number {
  return v instanceof Date ? v.getTime() : Number(v);
}

/** A Make text field: literal text with `{{…}}` formulas. A lone formula keeps its type. */
function evaluate(field: string, scope: Scope): Value {
  const lone = /^\{\{([\s\S]*)\}\}$/.exec(field);
  if (lone !== null && !(lone[1] ?? '').includes('}}')) {
    return new Interpreter(tokenize(lone[1] ?? ''), scope).run();
  }
  return field.replace(/\{\{([\s\S]*?)\}\}/g, (_, code: string) =>
    text(new Interpreter(tokenize(code), scope).run()),
  );
}

/** Does a filter let the bundle through? OR over AND-groups, with Make's operators. */
function passes(filter: MakeFilter, scope: Scope): boolean {
  return filter.conditions.some((group) =>
    group.every(({ a, o, b }) => {
      const left = evaluate(a, scope);
      const right = b === undefined ? undefined : evaluate(b, scope);
      switch (o) {
        case 'text:equal':
          return text(left) === text(right);
        case 'text:notequal':
          return text(left) !== text(right);
        case 'number:less':
          return Number(left) < Number(right);
        case 'number:greater':
          return Number(left) > Number(right);
        case 'number:lessorequal':
          return Number(left) <= Number(right);
        case 'number:greaterorequal':
          return Number(left) >= Number(right);
        case 'boolean:equal':
          return text(left) === text(right);
        case 'exist':
          return !isEmpty(left);
        case 'notexist':
          return isEmpty(left);
        default:
          throw new Error(`Operator ${o} is not implemented in this test`);
      }
    }),
  );
}

/** What a Set-variables module outputs: each variable evaluated in the scope. */
function runSetVariables(module: MakeModule, scope: Scope): Record<string, Value> {
  const variables = (module.mapper?.variables ?? []) as Array<{ name: string; value: string }>;
  return Object.fromEntries(variables.map((v) => [v.name, evaluate(v.value, scope)]));
}

// ---------------------------------------------------------------------------------------------

const vector = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/calendly/signature-test-vector.json'), 'utf8'),
) as {
  signing_key: string;
  t: string;
  raw_body: string;
  header: string;
  expected_v1: string;
  WRONG_v1_if_you_prefix_v1_colon: string;
};
const calendly = (name: string): Record<string, Value> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/calendly', name), 'utf8')) as Record<
    string,
    Value
  >;

function allModules(flow: MakeModule[]): MakeModule[] {
  return flow.flatMap((m) => [
    m,
    ...(m.routes ?? []).flatMap((r) => allModules(r.flow)),
    ...allModules(m.onerror ?? []),
  ]);
}
function named(flow: MakeModule[], name: string): MakeModule {
  const found = allModules(flow).find((m) => m.metadata.designer.name === name);
  if (found === undefined) throw new Error(`No module named "${name}"`);
  return found;
}

describe('the signature check, evaluated as Make would', () => {
  const blueprint = buildBlueprint();
  const [webhook, settings, signature, check] = blueprint.flow as [
    MakeModule,
    MakeModule,
    MakeModule,
    MakeModule,
  ];
  const [rejectRoute, acceptRoute] = check.routes ?? [];
  const t = Number(vector.t);
  const headerValue = vector.header.replace(/^Calendly-Webhook-Signature:\s*/, '');

  /** Runs modules 1–3 for a delivery, then says which route of the signature router runs. */
  function deliver(delivery: { body: string; signature?: string; nowSeconds: number }): {
    accepted: boolean;
    rejected: boolean;
  } {
    const headers = [{ name: 'content-type', value: 'application/json' }];
    if (delivery.signature !== undefined) {
      headers.push({ name: 'calendly-webhook-signature', value: delivery.signature });
    }
    const scope: Scope = { modules: {}, now: new Date(delivery.nowSeconds * 1000) };
    scope.modules[webhook.id] = { value: delivery.body, __IMTHEADERS__: headers };
    // The user has pasted the signing key into the Settings module.
    const pasted = runSetVariables(settings, scope);
    expect(pasted.calendly_signing_key).toBe(PASTE_SIGNING_KEY);
    scope.modules[settings.id] = { ...pasted, calendly_signing_key: vector.signing_key };
    scope.modules[signature.id] = runSetVariables(signature, scope);
    const accept = acceptRoute?.flow[0]?.filter;
    const reject = rejectRoute?.flow[0]?.filter;
    if (accept === undefined || reject === undefined)
      throw new Error('Signature router filters missing');
    return { accepted: passes(accept, scope), rejected: passes(reject, scope) };
  }

  it('signs t + "." + raw body (no "v1:" prefix), keyed with the signing key, hex', () => {
    const condition = acceptRoute?.flow[0]?.filter?.conditions[0]?.[0];
    expect(condition).toEqual({
      a: `{{${signature.id}.v1}}`,
      o: 'text:equal',
      b: `{{sha256(${signature.id}.t + "." + ${webhook.id}.value; "hex"; ${settings.id}.calendly_signing_key)}}`,
    });
  });

  it('reads t and v1 out of the header', () => {
    const scope: Scope = { modules: {}, now: new Date() };
    scope.modules[webhook.id] = {
      value: '',
      __IMTHEADERS__: [{ name: 'calendly-webhook-signature', value: headerValue }],
    };
    expect(runSetVariables(signature, scope)).toEqual({ t: vector.t, v1: vector.expected_v1 });
  });

  it("accepts Calendly's worked vector", () => {
    expect(deliver({ body: vector.raw_body, signature: headerValue, nowSeconds: t + 10 })).toEqual({
      accepted: true,
      rejected: false,
    });
  });

  it('accepts a delivery signed by the engine (signCalendlyPayload)', () => {
    const body = JSON.stringify(calendly('invitee.canceled.json'));
    const now = 1_800_000_000;
    const header = signCalendlyPayload(body, vector.signing_key, now);
    expect(deliver({ body, signature: header, nowSeconds: now })).toEqual({
      accepted: true,
      rejected: false,
    });
  });

  it.each([
    [
      'the guide\'s "v1:"-prefixed digest',
      { signature: `t=${vector.t},v1=${vector.WRONG_v1_if_you_prefix_v1_colon}`, nowSeconds: t },
    ],
    [
      'a body one byte different',
      {
        body: vector.raw_body.replace('Jane Doe', 'Jane Dow'),
        signature: headerValue,
        nowSeconds: t,
      },
    ],
    ['a stale timestamp', { signature: headerValue, nowSeconds: t + 301 }],
    ['a timestamp in the future', { signature: headerValue, nowSeconds: t - 301 }],
    ['no signature header', { nowSeconds: t }],
    ['a garbage header', { signature: 'nonsense', nowSeconds: t }],
  ])('rejects %s (401, nothing else runs)', (_, delivery) => {
    expect(deliver({ body: vector.raw_body, ...delivery })).toEqual({
      accepted: false,
      rejected: true,
    });
  });

  it('sanity: the vector itself is what Node computes', () => {
    const digest = createHmac('sha256', vector.signing_key)
      .update(`${vector.t}.${vector.raw_body}`)
      .digest('hex');
    expect(digest).toBe(vector.expected_v1);
  });

  it('uses the configured tolerance', () => {
    const tight = buildBlueprint({ signatureToleranceSeconds: 60 });
    const accept = tight.flow[3]?.routes?.[1]?.flow[0]?.filter;
    expect(JSON.stringify(accept)).toContain('timestamp - 60');
    expect(JSON.stringify(accept)).toContain('timestamp + 60');
  });
});

const CALENDLY_API = 'https://api.calendly.com';
const EVENT_UUID = '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2';

describe('booking facts and the Zoom body, evaluated on real payloads', () => {
  function run(payload: Record<string, Value>, options: BlueprintOptionsInput = {}) {
    const blueprint = buildBlueprint(options);
    const valid = blueprint.flow[3]?.routes?.[1]?.flow ?? [];
    const [parse, facts, events] = valid as [MakeModule, MakeModule, MakeModule];
    const scope: Scope = { modules: {}, now: new Date('2026-03-02T15:04:06Z') };
    const settings = blueprint.flow[1] as MakeModule;
    scope.modules[settings.id] = runSetVariables(settings, scope);
    scope.modules[parse.id] = payload;
    scope.modules[facts.id] = runSetVariables(facts, scope);
    return { blueprint, scope, facts: scope.modules[facts.id] ?? {}, events };
  }
  const customLocation = (body: Record<string, Value>): Record<string, Value> => {
    const copy = structuredClone(body) as { payload: { scheduled_event: Record<string, Value> } };
    copy.payload.scheduled_event.location = {
      type: 'custom',
      location: 'https://meet.example.com/room-42',
    };
    return copy as unknown as Record<string, Value>;
  };

  it('derives the event UUID, UTC start, duration (end − start) and topic', () => {
    const { facts } = run(calendly('invitee.created.json'));
    expect(facts).toEqual({
      event_uuid: EVENT_UUID,
      zoom_user: 'me',
      start_time: '2026-03-10T14:00:00Z',
      duration_minutes: 30,
      topic: '30 Minute Consultation with Jane Doe',
      // Not a reschedule: empty, as Make leaves a missing value.
      new_event_uuid: undefined,
    });
  });

  it('links a rescheduled cancel to the new event, and (move mode) a rescheduled create to the old', () => {
    expect(run(calendly('invitee.canceled.rescheduled.json')).facts.new_event_uuid).toBe(
      'b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e',
    );
    const moved = run(calendly('invitee.created.rescheduled.json'), { reschedule: 'move' });
    expect(moved.facts.old_event_uuid).toBe(EVENT_UUID);
  });

  it.each([
    ['me', 'me'],
    ['host.person@example.com', 'host.person@example.com'],
    ['event-host', 'host@example.com'],
  ])('creates the meeting for Zoom host %s under %s', (zoomHost, user) => {
    expect(run(calendly('invitee.created.json'), { zoomHost }).facts.zoom_user).toBe(user);
  });

  it('fills the topic template, keeping it JSON-safe', () => {
    const body = calendly('invitee.created.json') as { payload: Record<string, Value> };
    body.payload.name = 'Jane "JJ" Doe\\';
    const { facts } = run(body, { topicTemplate: '{invitee} <{invitee_email}> / {host}' });
    expect(facts.topic).toBe('Jane  JJ  Doe  <jane.doe@example.com> / host@example.com');
  });

  it('routes by event type, skipping bookings that already have a Calendly-made Zoom link', () => {
    const route = (payload: Record<string, Value>, options: BlueprintOptionsInput = {}) => {
      const { events, scope } = run(payload, options);
      return (events.routes ?? []).map((r) => passes(r.flow[0]?.filter as MakeFilter, scope));
    };
    expect(route(calendly('invitee.created.json'))).toEqual([false, false]);
    expect(route(calendly('invitee.created.json'), { nativeZoom: 'create' })).toEqual([
      true,
      false,
    ]);
    expect(route(customLocation(calendly('invitee.created.json')))).toEqual([true, false]);
    expect(route(calendly('invitee.canceled.json'))).toEqual([false, true]);
  });

  it('builds a valid Zoom create body: start, duration, topic, settings, marker in the agenda', () => {
    const payload = customLocation(calendly('invitee.created.json')) as {
      payload: Record<string, Value>;
    };
    payload.payload.name = 'Jane "JJ"\nDoe';
    const { blueprint, scope } = run(payload as unknown as Record<string, Value>);
    const create = named(blueprint.flow, 'Zoom: create the meeting');
    expect(create.mapper?.url).toMatch(
      /^https:\/\/api\.zoom\.us\/v2\/users\/\{\{\d+\.zoom_user\}\}\/meetings$/,
    );
    expect(evaluate(String(create.mapper?.url), scope)).toBe(
      'https://api.zoom.us/v2/users/me/meetings',
    );
    const body = JSON.parse(text(evaluate(String(create.mapper?.jsonStringBodyContent), scope)));
    expect(body).toEqual({
      topic: '30 Minute Consultation with Jane  JJ  Doe',
      type: 2,
      start_time: '2026-03-10T14:00:00Z',
      duration: 30,
      timezone: 'UTC',
      // The engine's marker, so `reconcile` recognises meetings this scenario made.
      agenda: `${meetingMarker(`${CALENDLY_API}/scheduled_events/${EVENT_UUID}`)}\nInvitee: Jane  JJ  Doe`,
      settings: {
        host_video: true,
        participant_video: true,
        join_before_host: false,
        waiting_room: true,
        mute_upon_entry: true,
        auto_recording: 'none',
      },
    });
  });

  it('merges meeting settings over the guide defaults', () => {
    const { blueprint, scope } = run(customLocation(calendly('invitee.created.json')), {
      meetingSettings: { waiting_room: false, auto_recording: 'cloud' },
    });
    const create = named(blueprint.flow, 'Zoom: create the meeting');
    const body = JSON.parse(text(evaluate(String(create.mapper?.jsonStringBodyContent), scope)));
    expect(body.settings).toMatchObject({
      waiting_room: false,
      auto_recording: 'cloud',
      host_video: true,
    });
  });

  it('saves the token with a reuse deadline 55 minutes out', () => {
    const { blueprint, scope } = run(calendly('invitee.created.json'));
    const save = named(blueprint.flow, 'Token store (calendly-zoom-token): save the token');
    const data = save.mapper?.data as Record<string, string>;
    expect(evaluate(data.reuse_until ?? '', scope)).toBe(
      String(Math.floor(scope.now.getTime() / 1000) + 55 * 60),
    );
  });
});
