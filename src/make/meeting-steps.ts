// What the scenario does at Zoom for a booking: create its meeting, delete it, move it (reschedule
// "move" mode); meeting-search.ts finds a meeting Zoom made whose record was never written. Each step ends in an answer
// to Calendly and, where something changed, a record write. Make has no subroutines, so each place
// that needs a step gets its own copy of these modules; the code that makes them is written once.

import { meetingMarker } from '../lifecycle';
import type { MakeModule } from './blueprint-types';
import { payload, type BuildContext } from './build-context';
import { answer, json, quoted } from './answers';
import {
  CLAIM_SECONDS,
  retainFromNow,
  withInvitee,
  withoutInvitee,
  writeBooking,
} from './booking-record';
import { condition } from './conditions';
import { BOOKING_STATUS, type BookingField } from './data-structures';
import {
  durationMinutes,
  eventUri,
  eventUuid,
  inviteeUuid,
  linkedEventUuid,
  linkedInviteeUuid,
  rescheduled,
  startTime,
  supersededBy,
  topic,
  zoomUser,
} from './facts';
import { formula, jsonSafe, lit, out } from './formula';
import { meetingSettingsJson } from './options';
import { httpRequest, ignore } from './modules';
import {
  ZOOM_API_URL,
  callZoom,
  statusIs,
  tryLater,
  unreachable,
  withZoomToken,
  zoomBusy,
  zoomReason,
  type ZoomCall,
} from './zoom-steps';

/** The module that read the record earlier in the run, or null (a booking seen for the first time). */
type ReadRecord = number | null;

const field = (record: ReadRecord, name: string): string =>
  record === null ? '""' : out(record, name);

/**
 * The marker as a formula: the engine's text around this booking's event URI. Its agenda is
 * exactly this, so `map(…; "agenda"; marker)` finds it by equality (and `calendly-zoom
 * reconcile` recognises the meeting, as it looks for the marker inside agendas).
 */
export function marker(ctx: BuildContext): string {
  const [before, after] = meetingMarker('\u0000').split('\u0000');
  return `${lit(before ?? '')} + ${eventUri(ctx)} + ${lit(after ?? '')}`;
}

/** Start, duration, topic, agenda (the marker) and, on create, type and settings. */
function meetingBody(ctx: BuildContext, create: boolean): string {
  return json([
    ['topic', quoted(formula(`substring(${topic(ctx)}; 0; 200)`))],
    ...(create ? ([['type', '2']] as const) : []),
    ['start_time', quoted(startTime(ctx))],
    ['duration', formula(durationMinutes(ctx))],
    // start_time ends in Z, so this only decides how Zoom displays the time (as the engine does).
    ['timezone', '"UTC"'],
    ['agenda', quoted(formula(jsonSafe(marker(ctx))))],
    ...(create ? ([['settings', JSON.stringify(meetingSettingsJson(ctx.options))]] as const) : []),
  ]);
}

/** The name of the write that records a meeting Zoom just made (where an outage hurts most). */
export const STORE_MEETING = 'store the meeting (active)';

/** This invitee's booking record, with the meeting a Zoom call just answered with. */
export function storeMeeting(
  ctx: BuildContext,
  record: ReadRecord,
  meeting: { id: string; joinUrl: string; user: string },
  undo?: { token: string },
): MakeModule {
  return bookInvitee(
    ctx,
    record,
    STORE_MEETING,
    {
      status: BOOKING_STATUS.active,
      meeting_id: formula(meeting.id),
      join_url: formula(meeting.joinUrl),
      zoom_user: meeting.user,
      start_time: startTime(ctx),
      superseded_by: '',
      moved_to: '',
      claim_until: '',
      last_error: '',
    },
    // A meeting nobody will know of is worse than none: take it back, let Calendly retry.
    undo === undefined
      ? undefined
      : () => [
          deleteQuietly(ctx, meeting.id, undo.token),
          answer(ctx, 'could not record the meeting, took it back', {
            status: '503',
            outcome: 'store_error',
          }),
        ],
  );
}

/** A write of this delivery's booking that also books its invitee on it. */
function bookInvitee(
  ctx: BuildContext,
  record: ReadRecord,
  name: string,
  set: Partial<Record<BookingField, string>>,
  onFailure?: () => MakeModule[],
): MakeModule {
  return writeBooking(ctx, {
    name,
    from: record,
    set: {
      event_uri: formula(eventUri(ctx)),
      invitees: withInvitee(field(record, 'invitees'), inviteeUuid(ctx)),
      ...set,
    },
    onFailure,
  });
}

function deleteQuietly(ctx: BuildContext, meetingId: string, token: string): MakeModule {
  const request = httpRequest(ctx.ids, 'Zoom: delete the meeting that could not be recorded', {
    method: 'delete',
    url: `${ZOOM_API_URL}/meetings/${formula(meetingId)}`,
    headers: [['Authorization', `Bearer ${formula(token)}`]],
  });
  // Nothing more to do if this fails too: the answer is 503 either way.
  request.onerror = [ignore(ctx.ids, 'Ignore: the answer is 503 either way')];
  return request;
}

export function created(
  ctx: BuildContext,
  name: string,
  meeting: { id: string; joinUrl: string },
): MakeModule {
  return answer(ctx, name, {
    status: '200',
    outcome: 'created',
    meetingId: meeting.id,
    joinUrl: meeting.joinUrl,
  });
}

/**
 * The create's answer was lost (no answer, or a 5xx that may have made the meeting): mark the
 * booking `creating` with a claim, so other deliveries wait and the first after it looks for the
 * meeting by its marker before making another.
 */
function markCreating(ctx: BuildContext, record: ReadRecord, why: string): MakeModule[] {
  return [
    bookInvitee(ctx, record, 'mark creating (answer lost)', {
      status: BOOKING_STATUS.creating,
      zoom_user: zoomUser(ctx),
      meeting_id: '',
      join_url: '',
      claim_until: formula(`timestamp + ${CLAIM_SECONDS}`),
      last_error: formula(why),
    }),
    answer(ctx, "Zoom's answer was lost, deliver again", {
      status: '503',
      outcome: 'in_progress',
      reason: why,
    }),
  ];
}

/** Zoom refused for good: record why (the user sees it in the data store) and stop Calendly's retries. */
export function markFailed(
  ctx: BuildContext,
  record: ReadRecord,
  call: number,
  what: string,
): MakeModule[] {
  const reason = `${lit(`Zoom refused to ${what}: `)} + ${zoomReason(call)}`;
  return [
    bookInvitee(ctx, record, 'mark failed (needs attention)', {
      status: BOOKING_STATUS.failed,
      claim_until: '',
      last_error: formula(reason),
    }),
    answer(ctx, 'Zoom refused, recorded for attention', {
      status: '200',
      outcome: 'failed',
      reason,
    }),
  ];
}

/** Every status not handled otherwise is a refusal for good; no answer is "try later". */
function refusedForGood(
  ctx: BuildContext,
  record: ReadRecord,
  what: string,
): Pick<ZoomCall, 'otherwise' | 'unreachable'> {
  return {
    otherwise: {
      name: 'Any other status: refused for good',
      modules: (call) => markFailed(ctx, record, call, what),
    },
    unreachable: (call) => unreachable(ctx, call),
  };
}

/** POST a new meeting for this booking (a new record, or a finished one reopened). */
export function createMeeting(ctx: BuildContext, record: ReadRecord, token?: string): MakeModule[] {
  const create = (tok: string): MakeModule[] =>
    callZoom(ctx, tok, {
      what: 'create the meeting',
      method: 'post',
      path: `/users/${zoomUser(ctx)}/meetings`,
      jsonBody: meetingBody(ctx, true),
      outcomes: (call) => [
        {
          name: '201: created',
          conditions: statusIs(call, 201),
          modules: () => {
            const meeting = { id: out(call, 'data.id'), joinUrl: out(call, 'data.join_url') };
            return [
              storeMeeting(ctx, record, { ...meeting, user: zoomUser(ctx) }, { token: tok }),
              created(ctx, 'meeting created', meeting),
            ];
          },
        },
        {
          name: '401, 429: nothing made, try later',
          conditions: statusIs(call, 401, 429),
          modules: () => zoomBusy(ctx, call),
        },
        {
          name: '5xx: the meeting may exist',
          conditions: condition(formula(out(call, 'statusCode')), 'number:greaterorequal', '500'),
          modules: () => markCreating(ctx, record, zoomReason(call)),
        },
      ],
      ...refusedForGood(ctx, record, 'create the meeting'),
      unreachable: (call) => markCreating(ctx, record, out(call, 'error.message')),
    });
  return token === undefined ? withZoomToken(ctx, 'create the meeting', create) : create(token);
}

/** The final status of a cancelled booking: superseded when the cancel is half of a reschedule. */
export function finalStatus(ctx: BuildContext): string {
  return `if(${rescheduled(ctx)}; "${BOOKING_STATUS.superseded}"; "${BOOKING_STATUS.cancelled}")`;
}

/** The last invitee is gone and so is the meeting: the record says so, for good. */
export function markFinished(ctx: BuildContext, record: number): MakeModule {
  return writeBooking(ctx, {
    name: 'mark cancelled (or superseded)',
    from: record,
    set: {
      status: formula(finalStatus(ctx)),
      invitees: withoutInvitee(out(record, 'invitees'), inviteeUuid(ctx)),
      canceled: withInvitee(out(record, 'canceled'), inviteeUuid(ctx)),
      superseded_by: formula(supersededBy(ctx)),
      claim_until: '',
    },
  });
}

/** DELETE a meeting: 204 or 404 is `gone` (404 = already gone = done); 401, 429, 5xx try later. */
export function zoomDelete(
  ctx: BuildContext,
  token: string,
  call: {
    what: string;
    meetingId: string;
    gone: (call: number) => MakeModule[];
  } & Pick<ZoomCall, 'otherwise' | 'unreachable'>,
): MakeModule[] {
  return callZoom(ctx, token, {
    what: call.what,
    method: 'delete',
    path: `/meetings/${formula(call.meetingId)}`,
    outcomes: (id) => [
      {
        name: '204 or 404: gone',
        conditions: statusIs(id, 204, 404),
        modules: () => call.gone(id),
      },
      tryLater(ctx, id),
    ],
    otherwise: call.otherwise,
    unreachable: call.unreachable,
  });
}

/** DELETE the meeting (404 = already gone = done) and finish the booking. */
export function deleteMeeting(
  ctx: BuildContext,
  record: number,
  meetingId: string,
  token?: string,
): MakeModule[] {
  const remove = (tok: string): MakeModule[] =>
    zoomDelete(ctx, tok, {
      what: 'delete the meeting',
      meetingId,
      gone: (call) => [
        markFinished(ctx, record),
        answer(ctx, 'meeting deleted', {
          status: '200',
          outcome: {
            formula: `if(${out(call, 'statusCode')} = 404; "already_gone"; ${finalStatus(ctx)})`,
          },
        }),
      ],
      ...refusedForGood(ctx, record, 'delete the meeting'),
    });
  return token === undefined ? withZoomToken(ctx, 'delete the meeting', remove) : remove(token);
}

/**
 * Reschedule "move" mode: PATCH the replaced booking's meeting to the new time and record it on
 * the new booking. `from` is the record holding the meeting: the replaced booking's (the create
 * came first; its record is marked superseded too) or the new booking's own `pending_move` record
 * (the cancel came first and left it). A meeting gone from Zoom (404) is replaced by a new one.
 */
export function moveMeeting(
  ctx: BuildContext,
  from: number,
  came: 'create-first' | 'cancel-first',
): MakeModule[] {
  const newRecord: ReadRecord = came === 'cancel-first' ? from : null;
  return withZoomToken(ctx, 'move the meeting', (token) =>
    callZoom(ctx, token, {
      what: 'move the meeting to the new time',
      method: 'patch',
      path: `/meetings/${formula(out(from, 'meeting_id'))}`,
      jsonBody: meetingBody(ctx, false),
      outcomes: (call) => [
        {
          name: '204: moved',
          conditions: statusIs(call, 204),
          modules: () => {
            const meeting = { id: out(from, 'meeting_id'), joinUrl: out(from, 'join_url') };
            return [
              storeMeeting(ctx, newRecord, { ...meeting, user: formula(out(from, 'zoom_user')) }),
              ...(came === 'create-first' ? [markMovedAway(ctx, from)] : []),
              answer(ctx, 'meeting moved', {
                status: '200',
                outcome: 'moved',
                ...{ meetingId: meeting.id, joinUrl: meeting.joinUrl },
              }),
            ];
          },
        },
        {
          name: '404: the meeting is gone, make a new one',
          conditions: statusIs(call, 404),
          modules: () => createMeeting(ctx, newRecord, token),
        },
        tryLater(ctx, call),
      ],
      ...refusedForGood(ctx, newRecord, 'move the meeting'),
    }),
  );
}

/** The replaced booking gave its meeting to the new one (the create came first). */
function markMovedAway(ctx: BuildContext, old: number): MakeModule {
  const oldInvitee = linkedInviteeUuid(ctx, 'old_invitee');
  return writeBooking(ctx, {
    name: 'mark the replaced booking superseded (meeting moved)',
    key: formula(linkedEventUuid(ctx, 'old_invitee')),
    from: old,
    set: {
      status: BOOKING_STATUS.superseded,
      invitees: withoutInvitee(out(old, 'invitees'), oldInvitee),
      canceled: withInvitee(out(old, 'canceled'), oldInvitee),
      superseded_by: formula(eventUuid(ctx)),
      moved_to: formula(eventUuid(ctx)),
      expires_at: retainFromNow(ctx, old),
    },
  });
}

/**
 * Reschedule "move" mode, the cancel first: keep the meeting for the new booking. This record
 * says superseded; the new booking's key gets a `pending_move` record holding the meeting, which
 * its create will PATCH (or its cancel delete).
 */
export function keepForMove(ctx: BuildContext, record: number): MakeModule[] {
  const newEvent = linkedEventUuid(ctx, 'new_invitee');
  return [
    writeBooking(ctx, {
      name: 'mark superseded (meeting kept for the move)',
      from: record,
      set: {
        status: BOOKING_STATUS.superseded,
        invitees: withoutInvitee(out(record, 'invitees'), inviteeUuid(ctx)),
        canceled: withInvitee(out(record, 'canceled'), inviteeUuid(ctx)),
        superseded_by: formula(newEvent),
        moved_to: formula(newEvent),
      },
    }),
    writeBooking(ctx, {
      name: 'hold the meeting for the new booking (pending_move)',
      key: formula(newEvent),
      from: null,
      set: {
        event_uri: formula(`get(split(${payload(ctx, 'payload.new_invitee')}; "/invitees/"); 1)`),
        status: BOOKING_STATUS.pendingMove,
        invitees: `,${formula(linkedInviteeUuid(ctx, 'new_invitee'))},`,
        meeting_id: formula(out(record, 'meeting_id')),
        join_url: formula(out(record, 'join_url')),
        zoom_user: formula(out(record, 'zoom_user')),
        expires_at: retainFromNow(ctx, null),
      },
    }),
    answer(ctx, 'superseded, meeting kept for the move', { status: '200', outcome: 'superseded' }),
  ];
}
