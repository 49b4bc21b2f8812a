// blueprints/README.md, generated with the blueprints so it always names the modules, fields,
// options and measured operations of the files beside it.

import type { MakeBlueprint, MakeDataStructure, MakeModule } from './blueprint-types';
import { CLAIM_SECONDS, recordRetentionSeconds } from './booking-record';
import {
  BOOKINGS_STORE_NAME,
  BOOKINGS_STRUCTURE,
  BOOKING_STATUS,
  PASTE_TEAM_ID,
} from './data-structures';
import type { Measurement } from './measure-operations';
import type { BlueprintOptions } from './options';
import { PRUNE_BATCH } from './build-prune-blueprint';
import { SEARCH_PAGE_SIZE } from './meeting-search';
import { PASTE_SIGNING_KEY } from './signature-check';
import { ONE_MB } from './simulator';
import { PASTE_ZOOM_ACCOUNT_ID } from './zoom-steps';

export interface ChecklistFiles {
  blueprint: string;
  prune: string;
  bookingsStructure: string;
}

export interface ChecklistInput {
  blueprint: MakeBlueprint;
  prune: MakeBlueprint;
  options: BlueprintOptions;
  files: ChecklistFiles;
  measurement: Measurement;
}

export function importChecklist({
  blueprint,
  prune,
  options,
  files,
  measurement,
}: ChecklistInput): string {
  const modules = allModules(blueprint.flow);
  const tokenFetches = modules.filter((m) =>
    (m.metadata.designer.name ?? '').startsWith('Zoom: get an access token'),
  );
  const storeModules = [...modules, ...allModules(prune.flow)].filter((m) =>
    m.module.startsWith('datastore:'),
  );
  const ids = options.makeIds;
  const hours = (seconds: number): string => `${Math.round(seconds / 3600)} h`;
  const retention = recordRetentionSeconds(options);
  const recordsPerMb = Math.floor(ONE_MB / measurement.largestRecordBytes);
  const steps: string[] = [];
  const step = (text: string): void => {
    steps.push(`${steps.length + 1}. ${text}`);
  };

  const missing = FILLABLE.filter((f) => !f.given(options)).map((f) => f.flag);

  step(`**Data structure.** *Data structures → Add data structure* \`${BOOKINGS_STRUCTURE.name}\`, **strict**, with exactly the
   fields below — or \`POST /api/v2/data-structures\` with \`${files.bookingsStructure}\`${options.teamId === undefined ? ` after replacing \`${PASTE_TEAM_ID}\` with your team id (or regenerate with \`--team-id\`)` : ''}.

${fieldTable(BOOKINGS_STRUCTURE)}`);
  step(`**Data store.** *Data stores → Add data store* \`${BOOKINGS_STORE_NAME}\` with the structure \`${BOOKINGS_STRUCTURE.name}\`.
   A record is at most about ${measurement.largestRecordBytes} bytes, so 1 MB holds about ${recordsPerMb} records: one per
   booking still to come, plus those that ended in the last ${hours(retention)} (the prune scenario deletes older ones).
   Size it for your upcoming bookings; when it is full, deliveries answer 503 until there is room. Note its id (the
   number in the address of its page in Make).`);
  step(`**Zoom credentials.** Create a **Basic auth** keychain in Make: username = Client ID, password = Client Secret.
   Note its id.`);
  step(`**Webhook.** *Webhooks → Add* a custom webhook with **JSON pass-through** and **Get request headers** on (its
   *Advanced settings*). Without pass-through the raw body is gone and no signature can match; without the headers there
   is no signature to check: every delivery would answer 401. Note its id and copy its URL.`);
  step(`**Register it in Calendly**: \`calendly-zoom webhooks subscribe --url <the webhook URL>\` (it prints the signing key
   it generates, once; or pass your own with \`--signing-key\`).`);
  step(
    missing.length === 0
      ? `**Generate.** Done: these files were generated with the signing key, the Zoom Account ID and the three ids.`
      : `**Generate** the blueprints with what you now have, so the import needs no manual step:
   \`calendly-zoom blueprint ${missing.join(' ')}\` (the key is a secret: keep the generated files private). If you
   import these files as they are instead, the steps marked *(as generated)* below do the same by hand.`,
  );
  step(`**Import** both scenarios: *Scenarios → Create a new scenario → ⋯ → Import Blueprint* → \`${files.blueprint}\`, and again
   with \`${files.prune}\`.`);
  if (ids.hook === undefined) {
    step(`*(as generated)* **Pick the webhook** in the first module of the main scenario.`);
  }
  if (options.signingKey === undefined) {
    step(`*(as generated)* **Signing key.** Open the router "Signature check" and, in both of its filters, replace every
   \`${PASTE_SIGNING_KEY}\` with the key (until then every delivery answers 401).`);
  }
  if (options.zoomAccountId === undefined) {
    step(`*(as generated)* **Zoom Account ID.** In each of the ${tokenFetches.length} modules named "Zoom: get an access token (…)",
   replace \`${PASTE_ZOOM_ACCOUNT_ID}\` in the \`account_id\` query parameter.`);
  }
  if (ids.zoomKeychain === undefined) {
    step(`*(as generated)* **Keychain.** In each of the ${tokenFetches.length} modules named "Zoom: get an access token (…)", pick the
   Basic auth keychain.`);
  }
  if (ids.bookingsStore === undefined) {
    step(`*(as generated)* **Data store.** In each of the ${storeModules.length} data store modules of the two scenarios (named
   "Bookings (${BOOKINGS_STORE_NAME}): …"), pick \`${BOOKINGS_STORE_NAME}\`.`);
  }
  step(`**Scenario settings** (gear icon): **Sequential processing** on and **Allow storing of incomplete executions** off,
   as imported. Sequential processing keeps two deliveries of one booking apart; nothing in the scenario ever stores an
   incomplete execution, so nothing can hold the queue.`);
  step(
    `**Schedule the prune scenario** once a day (it deletes at most ${PRUNE_BATCH} expired records per run) and switch it on.`,
  );
  step(`**Switch on** the main scenario (*Immediately as data arrives*) and send a signed test booking:
   \`calendly-zoom trigger invitee.created --url <the webhook URL>\`.`);

  return `# Calendly → Zoom: the Make scenario

Generated by \`calendly-zoom blueprint\`; do not edit by hand, regenerate instead (see \`docs/make.md\`).
Options used: Zoom host \`${options.zoomHost}\`, topic \`${options.topicTemplate}\`, signature window
${options.signatureToleranceSeconds} s, reschedule \`${options.reschedule}\`, bookings with a Calendly-made Zoom link:
\`${options.nativeZoom}\`; ${describeFilledIn(options)}.

| File | What it is |
| --- | --- |
| \`${files.blueprint}\` | The scenario (${modules.length} modules). |
| \`${files.prune}\` | The daily housekeeping scenario (${allModules(prune.flow).length} modules): deletes expired booking records. |
| \`${files.bookingsStructure}\` | The bookings data structure, in the shape Make's API takes. |

## Operations per path

Make bills one operation per module that runs; routers, filters and error handlers are free. Measured by running this
scenario in the simulator (\`src/make/simulator/\`); \`test/make/\` runs the same paths against a fake Zoom over HTTP.

| Path | Operations | Target |
| --- | ---: | --- |
${measurement.paths
  .map(
    (p) =>
      `| ${p.path} | ${p.operations} | ${p.target === null ? '' : `≤ ${p.target}${p.operations > p.target ? ' (over)' : ''}`} |`,
  )
  .join('\n')}

## What the scenario does

1. **Custom webhook** receives Calendly's delivery: the raw body and the request headers.
2. **Signature check**, in the first router's filters: \`sha256(t + "." + raw body; "hex"; signing key)\` must equal the
   header's \`v1\`, and \`t\` must be within ${options.signatureToleranceSeconds} s of now — long enough for a delivery that
   waited in Make's webhook queue. Otherwise the answer is **401**. A replayed delivery does no harm: every step is
   idempotent, and records are kept ${hours(retention)} after their booking ends (the window plus Calendly's 24 h of retries).
3. **Parse JSON**; then by event: \`invitee.created\`${options.nativeZoom === 'skip' ? ' (answered `skipped_native_zoom` when Calendly itself put a Zoom link on the booking)' : ''}, \`invitee.canceled\`;
   an invitee event without its URIs or times answers 400, any other event 200 \`ignored\`.
4. **invitee.created**, one record per scheduled event, invitees kept by UUID:
   - new booking → get a Zoom token, look among the host's upcoming meetings for one with the booking's marker (a run
     Make stopped before it could record the meeting would have left it) and adopt it, or create the meeting (agenda =
     the marker); record it \`${BOOKING_STATUS.active}\`;
   - the same invitee again → \`duplicate\` with the stored meeting; another invitee of a group event → added, \`duplicate\`;
   - an invitee who already cancelled → \`tombstoned\`, nothing made;
   - a finished booking (cancelled, superseded, tombstone) booked by a new invitee → reopened with a new meeting;
   - ${options.reschedule === 'move' ? 'a reschedule whose old meeting nobody else uses → that meeting is PATCHed to the new time (the join link stays);\n   - ' : ''}Zoom did not answer (or 5xx) → \`${BOOKING_STATUS.creating}\` with a ${CLAIM_SECONDS / 60}-minute claim, **503**; the first delivery after
     the claim looks for the meeting by its marker before creating one.
5. **invitee.canceled**: before any booking → \`${BOOKING_STATUS.tombstone}\` for that invitee, after deleting a meeting with the booking's
   marker if a stopped run left one; others still booked → meeting kept;
   the last one → meeting deleted (404 = already gone), \`${BOOKING_STATUS.cancelled}\` or \`${BOOKING_STATUS.superseded}\`${options.reschedule === 'move' ? ` — or, for a reschedule whose new booking has no record yet, the meeting is kept for it (\`${BOOKING_STATUS.pendingMove}\`)` : ''}.
6. **Zoom's answers**: 401, 429 (per second or per day) and 5xx → **503**, so Calendly delivers again later; no answer → **503**;
   any other refusal (no such user, bad input) → the record says \`${BOOKING_STATUS.failed}\` with Zoom's reason in \`last_error\`
   and the answer is **200** \`failed\`, so Calendly stops retrying something that cannot work. A data store failure → **503**.

## Bookings that need attention

*Data stores → ${BOOKINGS_STORE_NAME} → Browse*: records with status \`${BOOKING_STATUS.failed}\` (Zoom refused them; \`last_error\`
says why, e.g. a host without a Zoom user) and \`${BOOKING_STATUS.creating}\` older than a few minutes. Fix the cause, then send the
booking again (Calendly has stopped retrying a \`failed\` one): \`calendly-zoom trigger\` with the booking's payload, or
\`calendly-zoom reconcile --apply\` with the engine. The scenario's run history shows every 5xx answer.

## Import checklist

You need: a Make account with data stores, a Zoom **Server-to-Server OAuth** app (Account ID, Client ID, Client Secret;
scopes to create, read, update and delete meetings), and the \`calendly-zoom\` CLI with \`CALENDLY_TOKEN\` set.

${steps.join('\n')}

## Limits (what Make cannot do here)

- Import creates no hook, keychain, data structure or data store (steps above).
- One signing key and one \`v1\` signature per delivery (no key rotation); the comparison is Make's \`=\`, not constant-time.
- The signing key and Zoom tokens are visible to whoever can edit the scenario or read its run history (Make's
  "Data is confidential" setting hides run data, at the cost of debugging).${options.signingKey === undefined ? '' : ' This blueprint file contains the signing key: keep it private.'}
- Sequential processing must stay on: the data store has no atomic "insert if absent", so parallel runs could make two
  meetings for one booking.
- A Make outage in the middle of a run, after Zoom made a meeting and before it was recorded, is covered for a new booking
  (its next delivery finds the meeting by its marker), not where a meeting is made after a record was read (a group event
  reopened, a new invitee after a refusal${options.reschedule === 'move' ? ', a reschedule whose meeting could not move' : ''}): there the next delivery makes a second one, as looking
  first would cost one more operation (9 for a reopened event). Both carry the marker: \`calendly-zoom reconcile\` finds them.
- The meeting search reads the Zoom user's first ${SEARCH_PAGE_SIZE} upcoming meetings: a host with more may get a second meeting
  after an outage or a lost answer.
${options.reschedule === 'move' ? '- "move" mode: a meeting kept for a reschedule whose new booking never arrives stays until its record expires; `reconcile` finds it.\n- "move" mode: the reschedule paths marked *(over)* above cost 9 or 10 operations: the new booking must be checked, the\n  replaced one read (two modules: Make does not document what "Get a record" does with a missing key) and, when the\n  meeting moves, both records written. `docs/make.md` (Limits) has the arithmetic.\n' : ''}`;
}

/** What `calendly-zoom blueprint` can fill in, in the order the checklist names it. */
const FILLABLE: ReadonlyArray<{
  flag: string;
  label: string;
  given: (options: BlueprintOptions) => boolean;
}> = [
  { flag: '--signing-key <key>', label: 'signing key', given: (o) => o.signingKey !== undefined },
  {
    flag: '--zoom-account-id <id>',
    label: 'Zoom Account ID',
    given: (o) => o.zoomAccountId !== undefined,
  },
  { flag: '--hook <id>', label: 'hook', given: (o) => o.makeIds.hook !== undefined },
  {
    flag: '--bookings-store <id>',
    label: 'data store',
    given: (o) => o.makeIds.bookingsStore !== undefined,
  },
  {
    flag: '--zoom-keychain <id>',
    label: 'Zoom keychain',
    given: (o) => o.makeIds.zoomKeychain !== undefined,
  },
];

function describeFilledIn(options: BlueprintOptions): string {
  const filled = FILLABLE.filter((f) => f.given(options)).map((f) => f.label);
  return filled.length === 0
    ? 'nothing filled in (see the checklist)'
    : `filled in: ${filled.join(', ')}`;
}

function fieldTable(structure: MakeDataStructure): string {
  const rows = structure.spec.map(
    (field) =>
      `   | \`${field.name}\` | ${field.type} | ${field.required === true ? 'yes' : ''} | ${field.label} |`,
  );
  return ['   | Field | Type | Required | Meaning |', '   | --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

export function allModules(flow: MakeModule[]): MakeModule[] {
  return flow.flatMap((m) => [
    m,
    ...(m.routes ?? []).flatMap((route) => allModules(route.flow)),
    ...allModules(m.onerror ?? []),
  ]);
}
