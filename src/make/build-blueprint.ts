// Builds the Make scenario: webhook → signature check → parse → what kind of delivery →
// invitee.created / invitee.canceled. See docs/make.md for what each part does and why.

import type { MakeBlueprint, MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { answer } from './answers';
import { canceledRoute } from './canceled-route';
import { and, condition, not, or, type Conditions } from './conditions';
import { createdRoute } from './created-route';
import { formula, out } from './formula';
import { inExportOrder, layoutFlow } from './layout';
import { IdSequence, customWebhook, parseJson, webhookRespond } from './modules';
import { resolveBlueprintOptions, type BlueprintOptionsInput } from './options';
import { oneOf } from './routers';
import { scenarioMetadata } from './scenario-metadata';
import { PASTE_SIGNING_KEY, signatureFilters } from './signature-check';

export const SCENARIO_NAME = 'Calendly → Zoom meetings (calendly-zoom)';

export function buildBlueprint(input: BlueprintOptionsInput = {}): MakeBlueprint {
  const options = resolveBlueprintOptions(input);
  const ids = new IdSequence();

  // With "JSON pass-through" the raw body arrives as `value`, byte for byte as Calendly signed it;
  // with "Get request headers" the headers arrive as `__IMTHEADERS__` ([{name, value}]).
  const webhook = customWebhook(
    ids,
    'Calendly webhook (JSON pass-through, request headers on)',
    options.makeIds.hook,
  );
  const signature = signatureFilters(
    webhook.id,
    options.signingKey ?? PASTE_SIGNING_KEY,
    options.signatureToleranceSeconds,
  );
  const check = oneOf(ids, 'Signature check', [
    {
      name: 'Signature wrong, missing or stale',
      conditions: signature.invalid,
      modules: () => [
        webhookRespond(
          ids,
          '401: bad or stale signature, stop',
          '401',
          '{"error": "invalid_signature"}',
        ),
      ],
    },
    {
      name: 'Signature valid and fresh',
      conditions: signature.valid,
      modules: () => {
        const parsed = parseJson(
          ids,
          'Parse the Calendly payload',
          formula(out(webhook.id, 'value')),
        );
        const ctx: BuildContext = {
          ids,
          options,
          trunk: { webhook: webhook.id, payload: parsed.id },
        };
        parsed.onerror = [webhookRespond(ids, '400: not JSON', '400', '{"error": "invalid_json"}')];
        return [parsed, ...deliveryKinds(ctx)];
      },
    },
  ]);

  const flow = [webhook, ...check];
  layoutFlow(flow);
  return {
    name: SCENARIO_NAME,
    flow: flow.map(inExportOrder),
    // One run at a time, in arrival order: the data store has no compare-and-set, so two runs of
    // one booking must not interleave. Safe because no run is ever parked (incomplete executions
    // off, every error handled): nothing can hold the queue.
    metadata: scenarioMetadata({ instant: true, sequential: true }),
  };
}

/** created (unless Calendly made the Zoom link itself), canceled, malformed, anything else. */
function deliveryKinds(ctx: BuildContext): MakeModule[] {
  const p = (path: string): string => formula(out(ctx.trunk.payload, path));
  const event = (name: string): Conditions => condition(p('event'), 'text:equal', name);
  const created = event('invitee.created');
  const canceled = event('invitee.canceled');
  const wellFormed = and(
    ...[
      'payload.uri',
      'payload.scheduled_event.uri',
      'payload.scheduled_event.start_time',
      'payload.scheduled_event.end_time',
    ].map((path) => condition(p(path), 'exist')),
  );
  // Calendly's own Zoom integration already made a meeting when the location is Zoom with a link.
  const location = (field: string): string => p(`payload.scheduled_event.location.${field}`);
  const nativeZoom =
    ctx.options.nativeZoom === 'skip'
      ? and(
          or(
            condition(location('type'), 'text:equal', 'zoom'),
            condition(location('type'), 'text:equal', 'zoom_conference'),
          ),
          condition(location('join_url'), 'exist'),
        )
      : null;
  return oneOf(ctx.ids, 'invitee.created or invitee.canceled', [
    {
      name: nativeZoom === null ? 'invitee.created' : 'invitee.created, no Zoom link from Calendly',
      conditions: and(created, wellFormed, nativeZoom === null ? [[]] : not(nativeZoom)),
      modules: () => createdRoute(ctx),
    },
    {
      name: 'invitee.canceled',
      conditions: and(canceled, wellFormed),
      modules: () => canceledRoute(ctx),
    },
    ...(nativeZoom === null
      ? []
      : [
          {
            name: 'invitee.created with a Zoom link from Calendly',
            conditions: and(created, wellFormed, nativeZoom),
            modules: () => [
              answer(ctx, 'Calendly made the Zoom meeting itself', {
                status: '200',
                outcome: 'skipped_native_zoom',
              }),
            ],
          },
        ]),
    {
      name: 'An invitee event without the fields a booking needs',
      conditions: and(or(created, canceled), not(wellFormed)),
      modules: () => [
        webhookRespond(
          ctx.ids,
          '400: not a usable invitee event',
          '400',
          '{"error": "invalid_payload"}',
        ),
      ],
    },
    {
      name: 'Any other event type',
      conditions: and(
        condition(p('event'), 'text:notequal', 'invitee.created'),
        condition(p('event'), 'text:notequal', 'invitee.canceled'),
      ),
      modules: () => [
        webhookRespond(ctx.ids, '200: event type ignored', '200', '{"outcome": "ignored"}'),
      ],
    },
  ]);
}
