// The invitee.created route: claim the booking in the data store (so a second delivery creates
// nothing), then create the meeting, or in "move" mode PATCH the meeting of the booking it
// replaces. The record is keyed on the scheduled event UUID, like the engine's store.

import { meetingMarker } from '../lifecycle';
import type { MakeFilter, MakeModule } from './blueprint-types';
import { FACTS, fact, payload, type BuildContext } from './build-context';
import { json, quoted, respondZoomError } from './answers';
import { BOOKING_STATUS, BOOKINGS_MODULE, bookingData } from './data-structures';
import { formula, jsonSafe, out } from './formula';
import {
  datastoreAdd,
  datastoreDelete,
  datastoreExists,
  datastoreGet,
  datastoreUpdate,
  filtered,
  router,
  webhookRespond,
} from './modules';
import { meetingSettingsJson } from './options';
import { callZoom, isBoolean, withZoomToken } from './zoom-steps';

export function createdRoute(ctx: BuildContext): MakeModule[] {
  const key = formula(fact(ctx, FACTS.eventUuid));
  const known = datastoreExists(ctx.ids, `${BOOKINGS_MODULE}: is this booking known?`, key);
  const branch = router(ctx.ids, 'Known booking, or a new one', () => [
    filtered(answerKnownBooking(ctx, key), {
      name: 'Known booking: create nothing',
      conditions: [[isBoolean(known.id, 'exist', true)]],
    }),
    filtered(newBooking(ctx, key), {
      name: 'New booking',
      conditions: [[isBoolean(known.id, 'exist', false)]],
    }),
  ]);
  return filtered([known, branch], createdFilter(ctx));
}

function createdFilter(ctx: BuildContext): MakeFilter {
  const isCreated = { a: formula(payload(ctx, 'event')), o: 'text:equal', b: 'invitee.created' };
  if (ctx.options.nativeZoom === 'create') {
    return { name: 'invitee.created', conditions: [[isCreated]] };
  }
  // Calendly's own Zoom integration already made a meeting when the location is Zoom and has a
  // join URL (the engine's rule): skip those bookings.
  const location = (field: string): string =>
    formula(payload(ctx, `payload.scheduled_event.location.${field}`));
  return {
    name: 'invitee.created, no Zoom link from Calendly',
    conditions: [
      [isCreated, { a: location('join_url'), o: 'notexist' }],
      [
        isCreated,
        { a: location('type'), o: 'text:notequal', b: 'zoom' },
        { a: location('type'), o: 'text:notequal', b: 'zoom_conference' },
      ],
    ],
  };
}

/** A duplicate delivery, a tombstone, or a claim still in progress: answer, create nothing. */
function answerKnownBooking(ctx: BuildContext, key: string): MakeModule[] {
  const stored = datastoreGet(ctx.ids, `${BOOKINGS_MODULE}: read the stored booking`, key);
  const status = out(stored.id, 'status');
  const respond = webhookRespond(
    ctx.ids,
    '200: already handled, nothing created',
    '200',
    json([
      [
        'outcome',
        quoted(
          formula(
            `switch(${status}; "${BOOKING_STATUS.tombstone}"; "tombstoned"; "${BOOKING_STATUS.creating}"; "in_progress"; "duplicate")`,
          ),
        ),
      ],
      ['meeting_id', quoted(formula(out(stored.id, 'meeting_id')))],
      ['join_url', quoted(formula(out(stored.id, 'join_url')))],
    ]),
  );
  return [stored, respond];
}

function newBooking(ctx: BuildContext, key: string): MakeModule[] {
  const claim = datastoreAdd(
    ctx.ids,
    `${BOOKINGS_MODULE}: claim the booking (status ${BOOKING_STATUS.creating})`,
    key,
    bookingData({
      event_uuid: key,
      event_uri: formula(payload(ctx, 'payload.scheduled_event.uri')),
      status: BOOKING_STATUS.creating,
      invitee_email: formula(payload(ctx, 'payload.email')),
      updated_at: formula('now'),
    }),
  );
  if (ctx.options.reschedule === 'move') return [claim, moveOrCreate(ctx, key)];
  return [claim, ...createMeeting(ctx, key)];
}

function createMeeting(ctx: BuildContext, key: string): MakeModule[] {
  return withZoomToken(ctx, (token) =>
    callZoom(ctx, token, {
      what: 'create the meeting',
      method: 'post',
      path: `/users/${formula(fact(ctx, FACTS.zoomUser))}/meetings`,
      jsonBody: meetingBody(ctx, true),
      success: {
        statuses: ['201'],
        then: (callId) => [
          datastoreAdd(
            ctx.ids,
            `${BOOKINGS_MODULE}: store the meeting (status ${BOOKING_STATUS.active})`,
            key,
            bookingData({
              event_uuid: key,
              event_uri: formula(payload(ctx, 'payload.scheduled_event.uri')),
              status: BOOKING_STATUS.active,
              meeting_id: formula(out(callId, 'data.id')),
              join_url: formula(out(callId, 'data.join_url')),
              start_url: formula(out(callId, 'data.start_url')),
              password: formula(out(callId, 'data.password')),
              host: formula(out(callId, 'data.host_email')),
              start_time: formula(fact(ctx, FACTS.startTime)),
              invitee_email: formula(payload(ctx, 'payload.email')),
              updated_at: formula('now'),
            }),
          ),
          respondMeeting(ctx, '200: meeting created', 'created', {
            id: out(callId, 'data.id'),
            joinUrl: out(callId, 'data.join_url'),
          }),
        ],
      },
      failure: (callId) => [releaseClaim(ctx, key), respondZoomError(ctx, callId)],
    }),
  );
}

/**
 * Reschedule in "move" mode. Make runs the two routes in order: the first PATCHes the replaced
 * booking's meeting to the new time (and marks this booking active); the second creates a meeting
 * only if this booking is still just claimed, i.e. there was nothing to move.
 */
function moveOrCreate(ctx: BuildContext, key: string): MakeModule {
  return router(ctx.ids, 'Reschedule: move the old meeting, or create one', () => {
    const oldKey = formula(fact(ctx, FACTS.oldEventUuid));
    const oldKnown = datastoreExists(
      ctx.ids,
      `${BOOKINGS_MODULE}: is the replaced booking known?`,
      oldKey,
    );
    const old = datastoreGet(ctx.ids, `${BOOKINGS_MODULE}: read the replaced booking`, oldKey);
    const oldField = (field: string): string => formula(out(old.id, field));
    const move = withZoomToken(ctx, (token) =>
      callZoom(ctx, token, {
        what: 'move the meeting to the new time',
        method: 'patch',
        path: `/meetings/${oldField('meeting_id')}`,
        jsonBody: meetingBody(ctx, false),
        success: {
          statuses: ['204'],
          then: () => [
            datastoreAdd(
              ctx.ids,
              `${BOOKINGS_MODULE}: store the moved meeting (status ${BOOKING_STATUS.active})`,
              key,
              bookingData({
                event_uuid: key,
                event_uri: formula(payload(ctx, 'payload.scheduled_event.uri')),
                status: BOOKING_STATUS.active,
                meeting_id: oldField('meeting_id'),
                join_url: oldField('join_url'),
                start_url: oldField('start_url'),
                password: oldField('password'),
                host: oldField('host'),
                start_time: formula(fact(ctx, FACTS.startTime)),
                invitee_email: formula(payload(ctx, 'payload.email')),
                updated_at: formula('now'),
              }),
            ),
            datastoreUpdate(
              ctx.ids,
              `${BOOKINGS_MODULE}: mark the replaced booking ${BOOKING_STATUS.superseded}`,
              oldKey,
              bookingData({
                status: BOOKING_STATUS.superseded,
                superseded_by: key,
                meeting_moved_to: key,
                updated_at: formula('now'),
              }),
            ),
            respondMeeting(ctx, '200: meeting moved', 'moved', {
              id: out(old.id, 'meeting_id'),
              joinUrl: out(old.id, 'join_url'),
            }),
          ],
        },
        // The old meeting is gone: record that, and the next route creates a new one.
        gone: {
          statuses: ['404'],
          then: () => [
            datastoreUpdate(
              ctx.ids,
              `${BOOKINGS_MODULE}: old meeting gone, mark ${BOOKING_STATUS.cancelled}`,
              oldKey,
              bookingData({ status: BOOKING_STATUS.cancelled, updated_at: formula('now') }),
            ),
          ],
        },
        failure: (callId) => [releaseClaim(ctx, key), respondZoomError(ctx, callId)],
      }),
    );
    const movable = (status: string): Array<{ a: string; o: string; b?: string }> => [
      { a: oldField('meeting_id'), o: 'exist' },
      { a: oldField('meeting_moved_to'), o: 'notexist' },
      { a: oldField('status'), o: 'text:equal', b: status },
    ];
    const tryMove = [
      oldKnown,
      ...filtered([old], {
        name: 'Replaced booking is known',
        conditions: [[isBoolean(oldKnown.id, 'exist', true)]],
      }),
      ...filtered(move, {
        name: 'Its meeting can be moved',
        conditions: [movable(BOOKING_STATUS.active), movable(BOOKING_STATUS.superseded)],
      }),
    ];

    const stillClaimed = datastoreExists(
      ctx.ids,
      `${BOOKINGS_MODULE}: is the claim still there?`,
      key,
    );
    const claim = datastoreGet(ctx.ids, `${BOOKINGS_MODULE}: re-read the claim`, key);
    const create = [
      stillClaimed,
      ...filtered([claim], {
        name: 'Claim still there',
        conditions: [[isBoolean(stillClaimed.id, 'exist', true)]],
      }),
      ...filtered(createMeeting(ctx, key), {
        name: `Nothing was moved (status still ${BOOKING_STATUS.creating})`,
        conditions: [
          [{ a: formula(out(claim.id, 'status')), o: 'text:equal', b: BOOKING_STATUS.creating }],
        ],
      }),
    ];
    return [
      filtered(tryMove, {
        name: 'A reschedule (old_invitee set)',
        conditions: [[{ a: formula(payload(ctx, 'payload.old_invitee')), o: 'exist' }]],
      }),
      create,
    ];
  });
}

/**
 * The meeting body: start, duration, topic and, on create, type and settings. The agenda carries
 * the engine's marker (`Calendly booking: <event URI>`), so `calendly-zoom reconcile` recognises
 * meetings made by this scenario too.
 */
function meetingBody(ctx: BuildContext, create: boolean): string {
  const marker = meetingMarker(formula(payload(ctx, 'payload.scheduled_event.uri')));
  const agenda = `${jsonText(marker)}\\nInvitee: ${formula(jsonSafe(payload(ctx, 'payload.name')))}`;
  return json([
    ['topic', quoted(formula(`substring(${fact(ctx, FACTS.topic)}; 0; 200)`))],
    ...(create ? ([['type', '2']] as const) : []),
    ['start_time', quoted(formula(fact(ctx, FACTS.startTime)))],
    ['duration', formula(fact(ctx, FACTS.durationMinutes))],
    // start_time ends in Z, so this only decides how Zoom displays the time (as the engine does).
    ['timezone', '"UTC"'],
    ['agenda', quoted(agenda)],
    ...(create ? ([['settings', JSON.stringify(meetingSettingsJson(ctx.options))]] as const) : []),
  ]);
}

function respondMeeting(
  ctx: BuildContext,
  name: string,
  outcome: string,
  meeting: { id: string; joinUrl: string },
): MakeModule {
  return webhookRespond(
    ctx.ids,
    name,
    '200',
    json([
      ['outcome', JSON.stringify(outcome)],
      ['event_uuid', quoted(formula(fact(ctx, FACTS.eventUuid)))],
      ['meeting_id', quoted(formula(meeting.id))],
      ['join_url', quoted(formula(meeting.joinUrl))],
    ]),
  );
}

function releaseClaim(ctx: BuildContext, key: string): MakeModule {
  return datastoreDelete(ctx.ids, `${BOOKINGS_MODULE}: release the claim`, key);
}

/** Literal text as it must appear between JSON string quotes. */
function jsonText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
