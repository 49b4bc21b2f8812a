// Builds the Make scenario: webhook → settings → signature check → parse → booking facts →
// router (invitee.created / invitee.canceled). See docs/make.md for what each part does.

import { CALENDLY_SIGNATURE_HEADER } from '../calendly/signature';
import type { MakeBlueprint, MakeFilter, MakeModule } from './blueprint-types';
import { FACTS, SETTINGS, type BuildContext, type Trunk } from './build-context';
import { canceledRoute } from './canceled-route';
import { createdRoute } from './created-route';
import { CALENDLY_TIME_FORMAT, formula, jsonSafe, lit, out } from './formula';
import { inExportOrder, layoutFlow } from './layout';
import {
  IdSequence,
  customWebhook,
  filtered,
  parseJson,
  router,
  setVariables,
  webhookRespond,
} from './modules';
import {
  EVENT_HOST,
  parseTopicTemplate,
  resolveBlueprintOptions,
  type BlueprintOptions,
  type BlueprintOptionsInput,
  type TopicPlaceholder,
} from './options';

export const SCENARIO_NAME = 'Calendly → Zoom meetings (calendly-zoom)';

/** Placeholder values in the Settings module: the signature check fails closed until replaced. */
export const PASTE_SIGNING_KEY = 'PASTE-YOUR-CALENDLY-WEBHOOK-SIGNING-KEY';
export const PASTE_ZOOM_ACCOUNT_ID = 'PASTE-YOUR-ZOOM-ACCOUNT-ID';

export function buildBlueprint(input: BlueprintOptionsInput = {}): MakeBlueprint {
  const options = resolveBlueprintOptions(input);
  const ids = new IdSequence();

  // With "JSON pass-through" the raw body arrives as `value`, byte for byte as Calendly signed it;
  // with "Get request headers" the headers arrive as `__IMTHEADERS__` ([{name, value}]).
  const webhook = customWebhook(ids, 'Calendly webhook (JSON pass-through, request headers on)');
  const settings = setVariables(
    ids,
    'Settings: paste your Calendly signing key and Zoom account ID',
    [
      [SETTINGS.signingKey, PASTE_SIGNING_KEY],
      [SETTINGS.zoomAccountId, PASTE_ZOOM_ACCOUNT_ID],
      [SETTINGS.zoomHost, options.zoomHost],
    ],
  );
  const signature = setVariables(ids, 'Read the Calendly-Webhook-Signature header (t, v1)', [
    ['t', formula(headerPart(webhook.id, 1, 't='))],
    ['v1', formula(headerPart(webhook.id, 2, 'v1='))],
  ]);
  const signatureFilters = signatureCheck(options, { webhook, settings, signature });
  const check = router(ids, 'Signature check', () => {
    const reject = webhookRespond(
      ids,
      '401: bad or stale signature, stop',
      '401',
      '{"error": "invalid_signature"}',
    );
    const payload = parseJson(ids, 'Parse the Calendly payload', formula(out(webhook.id, 'value')));
    const facts = setVariables(
      ids,
      'Booking facts: event UUID, start, duration, topic',
      bookingFacts(options, payload.id, settings.id),
    );
    const trunk: Trunk = {
      webhook: webhook.id,
      settings: settings.id,
      payload: payload.id,
      facts: facts.id,
    };
    const ctx: BuildContext = { ids, options, trunk };
    const events = router(ids, 'invitee.created or invitee.canceled', () => [
      createdRoute(ctx),
      canceledRoute(ctx),
    ]);
    return [
      filtered([reject], signatureFilters.invalid),
      filtered([payload, facts, events], signatureFilters.valid),
    ];
  });

  const flow = [webhook, settings, signature, check];
  layoutFlow(flow);
  return {
    name: SCENARIO_NAME,
    flow: flow.map(inExportOrder),
    metadata: {
      instant: true,
      version: 1,
      scenario: {
        roundtrips: 1,
        maxErrors: 3,
        autoCommit: true,
        autoCommitTriggerLast: true,
        // One run at a time, in arrival order: the data store check-then-write is not atomic, so
        // two deliveries of one booking must not run side by side.
        sequential: true,
        slots: null,
        confidential: false,
        dataloss: false,
        // "Allow storing of incomplete executions": the Break handlers park 429s here.
        dlq: true,
        freshVariables: false,
      },
      designer: { orphans: [] },
    },
  };
}

/**
 * `t=<unix s>,v1=<hex>` → one part, without its label. Header names arrive lower-cased in
 * `__IMTHEADERS__`. Calendly sends `t` first and a single `v1`.
 */
function headerPart(webhookId: number, index: number, label: string): string {
  const header = `get(map(${out(webhookId, '__IMTHEADERS__')}; "value"; "name"; ${lit(CALENDLY_SIGNATURE_HEADER)}); 1)`;
  return `trim(replace(get(split(${header}; ","); ${index}); ${lit(label)}; ""))`;
}

/**
 * Calendly signs `t + "." + raw body` with HMAC-SHA256, hex (NOT the guide's `"v1:" + …`): the
 * expected digest is compared with v1, and t must lie within ±tolerance of now. The two filters
 * are exact complements, so exactly one route runs.
 */
function signatureCheck(
  options: BlueprintOptions,
  modules: { webhook: MakeModule; settings: MakeModule; signature: MakeModule },
): { valid: MakeFilter; invalid: MakeFilter } {
  const t = out(modules.signature.id, 't');
  const v1 = formula(out(modules.signature.id, 'v1'));
  const expected = formula(
    `sha256(${t} + "." + ${out(modules.webhook.id, 'value')}; "hex"; ${out(modules.settings.id, SETTINGS.signingKey)})`,
  );
  const tolerance = options.signatureToleranceSeconds;
  const oldest = formula(`timestamp - ${tolerance}`);
  const newest = formula(`timestamp + ${tolerance}`);
  return {
    valid: {
      name: 'Signature valid and fresh',
      conditions: [
        [
          { a: v1, o: 'text:equal', b: expected },
          { a: formula(t), o: 'number:greaterorequal', b: oldest },
          { a: formula(t), o: 'number:lessorequal', b: newest },
        ],
      ],
    },
    invalid: {
      name: 'Signature wrong, missing or stale',
      conditions: [
        [{ a: v1, o: 'text:notequal', b: expected }],
        [{ a: formula(t), o: 'number:less', b: oldest }],
        [{ a: formula(t), o: 'number:greater', b: newest }],
      ],
    },
  };
}

/** Values every route needs, computed once. Calendly v2 has no duration: it is end − start. */
function bookingFacts(
  options: BlueprintOptions,
  payloadId: number,
  settingsId: number,
): ReadonlyArray<readonly [string, string]> {
  const p = (path: string): string => out(payloadId, path);
  const zoomHost = out(settingsId, SETTINGS.zoomHost);
  const date = (path: string): string => `parseDate(${p(path)}; ${lit(CALENDLY_TIME_FORMAT)})`;
  const start = date('payload.scheduled_event.start_time');
  const end = date('payload.scheduled_event.end_time');
  // The event UUID sits after /scheduled_events/ in an invitee URI; splitting on that segment
  // does not depend on how `split` treats the empty piece in "https://".
  const eventOf = (inviteeUri: string): string =>
    `get(split(get(split(${p(inviteeUri)}; "/scheduled_events/"); 2); "/"); 1)`;
  return [
    [FACTS.eventUuid, formula(`last(split(${p('payload.scheduled_event.uri')}; "/"))`)],
    // Decided per run, so switching Settings to or from event-host needs no regeneration.
    [
      FACTS.zoomUser,
      formula(`if(${zoomHost} = ${lit(EVENT_HOST)}; ${calendlyHost(p)}; ${zoomHost})`),
    ],
    [FACTS.startTime, `${formula(`formatDate(${start}; "YYYY-MM-DDTHH:mm:ss"; "UTC")`)}Z`],
    [FACTS.durationMinutes, formula(`round((${end} - ${start}) / 60000)`)],
    [FACTS.topic, topicText(options.topicTemplate, p)],
    [FACTS.newEventUuid, formula(eventOf('payload.new_invitee'))],
    ...(options.reschedule === 'move'
      ? ([[FACTS.oldEventUuid, formula(eventOf('payload.old_invitee'))]] as const)
      : []),
  ];
}

/** The topic template as Make text: literal parts as typed, placeholders as JSON-safe formulas. */
function topicText(template: string, p: (path: string) => string): string {
  const values: Record<TopicPlaceholder, string> = {
    event: p('payload.scheduled_event.name'),
    invitee: p('payload.name'),
    invitee_email: p('payload.email'),
    host: calendlyHost(p),
  };
  return parseTopicTemplate(template)
    .map((part) => ('text' in part ? part.text : formula(jsonSafe(values[part.placeholder]))))
    .join('');
}

/** The scheduled event's (first) host, by email. */
function calendlyHost(p: (path: string) => string): string {
  return `get(map(${p('payload.scheduled_event.event_memberships')}; "user_email"); 1)`;
}
