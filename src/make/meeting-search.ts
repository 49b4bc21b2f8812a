// Finding a meeting by its marker (the agenda holds the booking's event URI) among the Zoom user's
// upcoming meetings: what a delivery does before it makes a meeting that an earlier run may already
// have made — a run Make stopped between Zoom's create and the record write, or a create whose
// answer was lost. Nothing here depends on a data store write having survived: Zoom is asked.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { answer } from './answers';
import { BOOKING_STATUS, type BookingField } from './data-structures';
import { condition } from './conditions';
import { eventUri, inviteeUuid, supersededBy, zoomUser } from './facts';
import { formula, out } from './formula';
import {
  createMeeting,
  created,
  deleteMeeting,
  finalStatus,
  markFailed,
  markFinished,
  marker,
  storeMeeting,
  zoomDelete,
} from './meeting-steps';
import { writeBooking } from './booking-record';
import { either } from './routers';
import {
  callZoom,
  statusIs,
  tryLater,
  unreachable,
  withZoomToken,
  zoomBusy,
  zoomReason,
} from './zoom-steps';

/** Zoom's list endpoint returns at most 300 meetings a page; the search looks at the first. */
export const SEARCH_PAGE_SIZE = 300;

interface Search {
  /** The Zoom user whose meetings are listed (text, formulas allowed). */
  user: string;
  token: string;
  found: (meeting: { id: string; joinUrl: string }) => MakeModule[];
  missing: () => MakeModule[];
  /** Zoom refused the list for good (not 401, 429 or 5xx, which answer 503). */
  refused: (call: number) => MakeModule[];
}

function searchMeeting(ctx: BuildContext, search: Search): MakeModule[] {
  return callZoom(ctx, search.token, {
    what: 'look for the meeting by its marker',
    method: 'get',
    path: `/users/${search.user}/meetings`,
    query: [
      ['type', 'upcoming'],
      ['page_size', String(SEARCH_PAGE_SIZE)],
    ],
    outcomes: (call) => {
      const pick = (key: string): string =>
        `first(map(${out(call, 'data.meetings')}; "${key}"; "agenda"; ${marker(ctx)}))`;
      const meeting = { id: pick('id'), joinUrl: pick('join_url') };
      return [
        {
          name: '200: listed',
          conditions: statusIs(call, 200),
          modules: () =>
            either(
              ctx.ids,
              'Is the meeting there?',
              { name: 'Found by its marker', conditions: condition(formula(meeting.id), 'exist') },
              () => search.found(meeting),
              search.missing,
            ),
        },
        tryLater(ctx, call),
      ];
    },
    otherwise: { name: 'Any other status: refused for good', modules: search.refused },
    unreachable: (call) => unreachable(ctx, call),
  });
}

/**
 * Make this booking's meeting unless Zoom already has it: a booking seen for the first time
 * (`record` null), or a `creating` one nobody is at any more. The meeting found is adopted.
 */
function findOrCreateMeeting(ctx: BuildContext, record: number | null, user: string): MakeModule[] {
  return withZoomToken(ctx, 'look for the meeting', (token) =>
    searchMeeting(ctx, {
      user,
      token,
      found: (meeting) => [
        storeMeeting(ctx, record, { ...meeting, user }),
        created(ctx, 'meeting found and adopted', meeting),
      ],
      missing: () => createMeeting(ctx, record, token),
      refused: (call) => markFailed(ctx, record, call, 'look for the meeting'),
    }),
  );
}

/** A booking seen for the first time. */
export function newMeeting(ctx: BuildContext): MakeModule[] {
  return findOrCreateMeeting(ctx, null, zoomUser(ctx));
}

/** `creating` and nobody at it any more. */
export function recoverMeeting(ctx: BuildContext, record: number): MakeModule[] {
  return findOrCreateMeeting(ctx, record, formula(out(record, 'zoom_user')));
}

/** `creating`, nobody at it, and the last invitee cancels: delete the meeting if Zoom made it. */
export function recoverAndDelete(ctx: BuildContext, record: number): MakeModule[] {
  return withZoomToken(ctx, 'look for the meeting to delete', (token) =>
    searchMeeting(ctx, {
      user: formula(out(record, 'zoom_user')),
      token,
      found: (meeting) => deleteMeeting(ctx, record, meeting.id, token),
      missing: () => [
        markFinished(ctx, record),
        answer(ctx, 'no meeting was made', {
          status: '200',
          outcome: { formula: finalStatus(ctx) },
        }),
      ],
      refused: (call) => zoomBusy(ctx, call),
    }),
  );
}

/** The fields of a cancel's first record: its invitee cancelled, and what replaced it if anything. */
function cancelledBooking(ctx: BuildContext): Partial<Record<BookingField, string>> {
  return {
    event_uri: formula(eventUri(ctx)),
    canceled: `,${formula(inviteeUuid(ctx))},`,
    superseded_by: formula(supersededBy(ctx)),
  };
}

function storeTombstone(ctx: BuildContext): MakeModule[] {
  return [
    writeBooking(ctx, {
      name: 'store a tombstone (cancel before create)',
      from: null,
      set: { ...cancelledBooking(ctx), status: BOOKING_STATUS.tombstone },
    }),
    answer(ctx, 'tombstone stored', { status: '200', outcome: 'tombstoned' }),
  ];
}

/** Zoom would not delete the meeting left behind: the record names it and says why. */
function recordLeftMeeting(ctx: BuildContext, call: number, meetingId: string): MakeModule[] {
  const reason = zoomReason(call);
  return [
    writeBooking(ctx, {
      name: 'record the meeting left behind (needs attention)',
      from: null,
      set: {
        ...cancelledBooking(ctx),
        status: BOOKING_STATUS.failed,
        meeting_id: formula(meetingId),
        zoom_user: zoomUser(ctx),
        last_error: formula(`"Zoom refused to delete the meeting left behind: " + ${reason}`),
      },
    }),
    answer(ctx, 'meeting left, recorded for attention', {
      status: '200',
      outcome: 'failed',
      reason,
    }),
  ];
}

/**
 * A cancel before any record of its booking: store the tombstone, after deleting the meeting a
 * create that Make stopped before its record write may have left (the late create would find the
 * tombstone and never look for it).
 */
export function tombstone(ctx: BuildContext): MakeModule[] {
  return withZoomToken(ctx, 'look for a meeting left behind', (token) =>
    searchMeeting(ctx, {
      user: zoomUser(ctx),
      token,
      found: (meeting) =>
        zoomDelete(ctx, token, {
          what: 'delete the meeting left behind',
          meetingId: meeting.id,
          gone: () => storeTombstone(ctx),
          otherwise: {
            name: 'Any other status: refused for good',
            modules: (call) => recordLeftMeeting(ctx, call, meeting.id),
          },
          unreachable: (call) => unreachable(ctx, call),
        }),
      missing: () => storeTombstone(ctx),
      // No list for this user (no such user, say): no meeting of it to delete either.
      refused: () => storeTombstone(ctx),
    }),
  );
}
