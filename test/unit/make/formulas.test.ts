// The blueprint's own Make formulas, evaluated by the simulator's IML evaluator (the semantics of
// Make's function reference: 1-based `get`, `;` separators, `+` adds numbers and joins text,
// `timestamp` is Unix seconds), so the signature check is tested against Calendly's worked vector
// exactly as Make would run it.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCalendlyPayload } from '../../../src/calendly/signature';
import { meetingMarker } from '../../../src/lifecycle';
import type { MakeFilter, MakeModule } from '../../../src/make/blueprint-types';
import { buildBlueprint } from '../../../src/make/build-blueprint';
import type { BuildContext } from '../../../src/make/build-context';
import * as facts from '../../../src/make/facts';
import { IdSequence } from '../../../src/make/modules';
import { resolveBlueprintOptions, type BlueprintOptionsInput } from '../../../src/make/options';
import { PASTE_SIGNING_KEY } from '../../../src/make/signature-check';
import { passes } from '../../../src/make/simulator/filters';
import type { ImlScope } from '../../../src/make/simulator/iml/evaluate';
import { evaluateField } from '../../../src/make/simulator/iml/template';
import { toText } from '../../../src/make/simulator/iml/values';

function scope(outputs: Record<number, unknown>, now: Date): ImlScope {
  return { output: (id) => outputs[id], now };
}

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
const calendly = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/calendly', name), 'utf8')) as Record<
    string,
    unknown
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
  const t = Number(vector.t);
  const headerValue = vector.header.replace(/^Calendly-Webhook-Signature:\s*/, '');

  /** Which route of the signature router a delivery takes. */
  function deliver(delivery: {
    body: string;
    signature?: string;
    nowSeconds: number;
    headerName?: string;
    options?: BlueprintOptionsInput;
  }): { accepted: boolean; rejected: boolean } {
    const blueprint = buildBlueprint({ signingKey: vector.signing_key, ...delivery.options });
    const [webhook, check] = blueprint.flow as [MakeModule, MakeModule];
    const [reject, accept] = (check.routes ?? []).map((r) => r.flow[0]?.filter) as [
      MakeFilter,
      MakeFilter,
    ];
    const headers = [{ name: 'content-type', value: 'application/json' }];
    if (delivery.signature !== undefined) {
      headers.push({
        name: delivery.headerName ?? 'calendly-webhook-signature',
        value: delivery.signature,
      });
    }
    const s = scope(
      { [webhook.id]: { value: delivery.body, __IMTHEADERS__: headers } },
      new Date(delivery.nowSeconds * 1000),
    );
    return { accepted: passes(accept, s), rejected: passes(reject, s) };
  }

  it('signs t + "." + raw body (no "v1:" prefix), keyed with the signing key, hex', () => {
    const blueprint = buildBlueprint({ signingKey: vector.signing_key });
    const accept = blueprint.flow[1]?.routes?.[1]?.flow[0]?.filter;
    const condition = accept?.conditions[0]?.find((c) => c.o === 'text:equal');
    expect(condition?.b).toMatch(
      new RegExp(
        `^\\{\\{sha256\\(trim\\(.*\\) \\+ "\\." \\+ 1\\.value; "hex"; "${vector.signing_key}"\\)\\}\\}$`,
      ),
    );
  });

  it("accepts Calendly's worked vector", () => {
    expect(deliver({ body: vector.raw_body, signature: headerValue, nowSeconds: t + 10 })).toEqual({
      accepted: true,
      rejected: false,
    });
  });

  it('reads the header whichever way Make cases its name', () => {
    expect(
      deliver({
        body: vector.raw_body,
        signature: headerValue,
        headerName: 'Calendly-Webhook-Signature',
        nowSeconds: t,
      }),
    ).toEqual({ accepted: true, rejected: false });
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

  it('accepts a delivery a day old (it may have waited in the webhook queue)', () => {
    expect(
      deliver({ body: vector.raw_body, signature: headerValue, nowSeconds: t + 86_400 }),
    ).toEqual({
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
    ['a stale timestamp', { signature: headerValue, nowSeconds: t + 86_401 }],
    ['a timestamp in the future', { signature: headerValue, nowSeconds: t - 86_401 }],
    ['no signature header', { nowSeconds: t }],
    ['a garbage header', { signature: 'nonsense', nowSeconds: t }],
    [
      'a tighter window, exceeded',
      { signature: headerValue, nowSeconds: t + 61, options: { signatureToleranceSeconds: 60 } },
    ],
    [
      'anything at all while the key is still the placeholder, even signed with the placeholder',
      {
        signature: signCalendlyPayload(vector.raw_body, PASTE_SIGNING_KEY, t),
        nowSeconds: t,
        options: { signingKey: undefined },
      },
    ],
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
});

const CALENDLY_API = 'https://api.calendly.com';
const EVENT_UUID = '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2';
const PAYLOAD_MODULE = 3;

describe('booking facts and the Zoom body, evaluated on real payloads', () => {
  const now = new Date('2026-03-02T15:04:06Z');
  const ctxFor = (options: BlueprintOptionsInput = {}): BuildContext => ({
    ids: new IdSequence(),
    options: resolveBlueprintOptions(options),
    trunk: { webhook: 1, payload: PAYLOAD_MODULE },
  });
  const evaluate = (field: string, payload: Record<string, unknown>): unknown =>
    evaluateField(field, scope({ [PAYLOAD_MODULE]: payload }, now));
  /** The create request's body for a delivery, with the blueprint's own payload module id. */
  const createBody = (flow: MakeModule[], create: MakeModule, payload: Record<string, unknown>) => {
    const parse = named(flow, 'Parse the Calendly payload');
    const text = evaluateField(
      String(create.mapper?.jsonStringBodyContent),
      scope({ [parse.id]: payload }, now),
    );
    return JSON.parse(toText(text)) as Record<string, unknown>;
  };
  const customLocation = (body: Record<string, unknown>): Record<string, unknown> => {
    const copy = structuredClone(body) as { payload: { scheduled_event: Record<string, unknown> } };
    copy.payload.scheduled_event.location = {
      type: 'custom',
      location: 'https://meet.example.com/room-42',
    };
    return copy as unknown as Record<string, unknown>;
  };

  it('derives the event and invitee UUIDs, UTC start, duration (end − start) and topic', () => {
    const ctx = ctxFor();
    const body = calendly('invitee.created.json');
    expect(evaluate(`{{${facts.eventUuid(ctx)}}}`, body)).toBe(EVENT_UUID);
    expect(evaluate(`{{${facts.inviteeUuid(ctx)}}}`, body)).toMatch(/^[0-9a-f-]{36}$/);
    expect(evaluate(facts.startTime(ctx), body)).toBe('2026-03-10T14:00:00Z');
    expect(evaluate(`{{${facts.durationMinutes(ctx)}}}`, body)).toBe(30);
    expect(evaluate(`{{${facts.topic(ctx)}}}`, body)).toBe('30 Minute Consultation with Jane Doe');
    expect(evaluate(facts.zoomUser(ctx), body)).toBe('me');
  });

  it('links a rescheduled cancel to the new event, and a rescheduled create to the old', () => {
    const ctx = ctxFor();
    expect(
      evaluate(
        `{{${facts.linkedEventUuid(ctx, 'new_invitee')}}}`,
        calendly('invitee.canceled.rescheduled.json'),
      ),
    ).toBe('b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e');
    expect(
      evaluate(
        `{{${facts.linkedEventUuid(ctx, 'old_invitee')}}}`,
        calendly('invitee.created.rescheduled.json'),
      ),
    ).toBe(EVENT_UUID);
  });

  it.each([
    ['me', 'me'],
    ['host.person@example.com', 'host.person@example.com'],
    ['event-host', 'host@example.com'],
  ])('creates the meeting for Zoom host %s under %s', (zoomHost, user) => {
    expect(evaluate(facts.zoomUser(ctxFor({ zoomHost })), calendly('invitee.created.json'))).toBe(
      user,
    );
  });

  it('fills the topic template, keeping it JSON-safe', () => {
    const body = calendly('invitee.created.json') as { payload: Record<string, unknown> };
    body.payload.name = 'Jane "JJ" Doe\\';
    const ctx = ctxFor({ topicTemplate: '{invitee} <{invitee_email}> / {host}' });
    expect(evaluate(`{{${facts.topic(ctx)}}}`, body)).toBe(
      'Jane  JJ  Doe  <jane.doe@example.com> / host@example.com',
    );
  });

  it('builds a valid Zoom create body: start, duration, topic, settings, the marker as agenda', () => {
    const payload = customLocation(calendly('invitee.created.json')) as {
      payload: Record<string, unknown>;
    };
    payload.payload.name = 'Jane "JJ"\nDoe';
    const blueprint = buildBlueprint();
    const create = named(blueprint.flow, 'Zoom: create the meeting');
    expect(create.mapper?.url).toBe('https://api.zoom.us/v2/users/me/meetings');
    const body = createBody(blueprint.flow, create, payload as unknown as Record<string, unknown>);
    expect(body).toEqual({
      topic: '30 Minute Consultation with Jane  JJ  Doe',
      type: 2,
      start_time: '2026-03-10T14:00:00Z',
      duration: 30,
      timezone: 'UTC',
      // Exactly the engine's marker: found by equality after a lost answer, and by `reconcile`.
      agenda: meetingMarker(`${CALENDLY_API}/scheduled_events/${EVENT_UUID}`),
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
    const blueprint = buildBlueprint({
      meetingSettings: { waiting_room: false, auto_recording: 'cloud' },
    });
    const create = named(blueprint.flow, 'Zoom: create the meeting');
    const body = createBody(
      blueprint.flow,
      create,
      customLocation(calendly('invitee.created.json')),
    );
    expect(body.settings).toMatchObject({
      waiting_room: false,
      auto_recording: 'cloud',
      host_video: true,
    });
  });

  it('asks for the token with the Account ID, for account credentials', () => {
    const blueprint = buildBlueprint({ zoomAccountId: 'acct-123' });
    const fetch = allModules(blueprint.flow).find((m) =>
      (m.metadata.designer.name ?? '').startsWith('Zoom: get an access token'),
    );
    expect(fetch?.mapper).toMatchObject({
      url: 'https://zoom.us/oauth/token',
      method: 'post',
      queryParameters: [
        { name: 'grant_type', value: 'account_credentials' },
        { name: 'account_id', value: 'acct-123' },
      ],
    });
  });
});
