// The invitee.canceled route: find the booking's meeting and delete it (Zoom 404 = already gone =
// done), then mark the record cancelled, or superseded when the cancel is half of a reschedule.
// A cancel for a booking never seen stores a tombstone, which the created route respects.

import type { MakeCondition, MakeModule } from './blueprint-types';
import { FACTS, fact, payload, type BuildContext } from './build-context';
import { json, quoted, respondZoomError } from './answers';
import { BOOKING_STATUS, BOOKINGS_MODULE, bookingData } from './data-structures';
import { formula, out } from './formula';
import {
  datastoreAdd,
  datastoreExists,
  datastoreGet,
  datastoreUpdate,
  filtered,
  router,
  webhookRespond,
} from './modules';
import { callZoom, isBoolean, withZoomToken } from './zoom-steps';

export function canceledRoute(ctx: BuildContext): MakeModule[] {
  const key = formula(fact(ctx, FACTS.eventUuid));
  const known = datastoreExists(ctx.ids, `${BOOKINGS_MODULE}: is this booking known?`, key);
  const branch = router(ctx.ids, 'Known booking, or a cancel that came first', () => [
    filtered(storeTombstone(ctx, key), {
      name: 'Unknown booking: cancel came first',
      conditions: [[isBoolean(known.id, 'exist', false)]],
    }),
    filtered(cancelKnownBooking(ctx, key), {
      name: 'Known booking',
      conditions: [[isBoolean(known.id, 'exist', true)]],
    }),
  ]);
  return filtered([known, branch], {
    name: 'invitee.canceled',
    conditions: [[{ a: formula(payload(ctx, 'event')), o: 'text:equal', b: 'invitee.canceled' }]],
  });
}

function storeTombstone(ctx: BuildContext, key: string): MakeModule[] {
  return [
    datastoreAdd(
      ctx.ids,
      `${BOOKINGS_MODULE}: store a ${BOOKING_STATUS.tombstone}`,
      key,
      bookingData({
        event_uuid: key,
        event_uri: formula(payload(ctx, 'payload.scheduled_event.uri')),
        status: BOOKING_STATUS.tombstone,
        invitee_email: formula(payload(ctx, 'payload.email')),
        updated_at: formula('now'),
      }),
    ),
    outcome(ctx, '200: tombstone stored', '"tombstoned"'),
  ];
}

function cancelKnownBooking(ctx: BuildContext, key: string): MakeModule[] {
  const stored = datastoreGet(ctx.ids, `${BOOKINGS_MODULE}: read the stored booking`, key);
  const status = formula(out(stored.id, 'status'));
  const isActive: MakeCondition = { a: status, o: 'text:equal', b: BOOKING_STATUS.active };
  const activeInvitees = formula(payload(ctx, 'payload.scheduled_event.invitees_counter.active'));
  const othersRemain: MakeCondition = { a: activeInvitees, o: 'number:greater', b: '0' };
  const lastOneLeft: MakeCondition = { a: activeInvitees, o: 'number:less', b: '1' };
  const rescheduled = (value: boolean): MakeCondition => ({
    a: formula(payload(ctx, 'payload.rescheduled')),
    o: 'boolean:equal',
    b: String(value),
  });
  const move = ctx.options.reschedule === 'move';

  const decide = router(ctx.ids, 'What to do with the meeting', () => [
    // Group event: the meeting stays until the last invitee cancels.
    filtered([outcome(ctx, '200: kept for the other invitees', '"kept_for_other_invitees"')], {
      name: 'Other invitees remain',
      conditions: [[isActive, othersRemain]],
    }),
    ...(move
      ? [
          filtered(keepForMove(ctx, key), {
            name: 'Rescheduled: keep the meeting for the move',
            conditions: [[isActive, lastOneLeft, rescheduled(true)]],
          }),
        ]
      : []),
    filtered(deleteMeeting(ctx, key, stored.id), {
      name: move ? 'Cancelled, not rescheduled: delete' : 'Last invitee cancelled: delete',
      conditions: [move ? [isActive, lastOneLeft, rescheduled(false)] : [isActive, lastOneLeft]],
    }),
    // Tombstone, a claim still in progress, or a repeated cancel: nothing to delete.
    filtered(
      [
        outcome(
          ctx,
          '200: nothing to delete',
          quoted(formula(`"already_" + ${out(stored.id, 'status')}`)),
        ),
      ],
      {
        name: 'Not active: nothing to delete',
        conditions: [[{ a: status, o: 'text:notequal', b: BOOKING_STATUS.active }]],
      },
    ),
  ]);
  return [stored, decide];
}

function deleteMeeting(ctx: BuildContext, key: string, storedId: number): MakeModule[] {
  const rescheduled = payload(ctx, 'payload.rescheduled');
  const finalStatus = `if(${rescheduled}; "${BOOKING_STATUS.superseded}"; "${BOOKING_STATUS.cancelled}")`;
  return withZoomToken(ctx, (token) =>
    callZoom(ctx, token, {
      what: 'delete the meeting',
      method: 'delete',
      path: `/meetings/${formula(out(storedId, 'meeting_id'))}`,
      // 404 (code 3001): the meeting is already gone, which is what a delete wants.
      success: {
        statuses: ['204', '404'],
        then: (callId) => [
          datastoreUpdate(
            ctx.ids,
            `${BOOKINGS_MODULE}: mark ${BOOKING_STATUS.cancelled} (or ${BOOKING_STATUS.superseded})`,
            key,
            bookingData({
              status: formula(finalStatus),
              superseded_by: formula(`if(${rescheduled}; ${fact(ctx, FACTS.newEventUuid)}; "")`),
              updated_at: formula('now'),
            }),
          ),
          outcome(
            ctx,
            '200: meeting deleted',
            quoted(
              formula(`if(${out(callId, 'statusCode')} = 404; "already_gone"; ${finalStatus})`),
            ),
          ),
        ],
      },
      failure: (callId) => [respondZoomError(ctx, callId)],
    }),
  );
}

/** "move" mode: the new booking's create will PATCH this meeting, so it is not deleted. */
function keepForMove(ctx: BuildContext, key: string): MakeModule[] {
  return [
    datastoreUpdate(
      ctx.ids,
      `${BOOKINGS_MODULE}: mark ${BOOKING_STATUS.superseded}, keep the meeting`,
      key,
      bookingData({
        status: BOOKING_STATUS.superseded,
        superseded_by: formula(fact(ctx, FACTS.newEventUuid)),
        updated_at: formula('now'),
      }),
    ),
    outcome(ctx, '200: superseded, meeting kept for the move', '"superseded"'),
  ];
}

function outcome(ctx: BuildContext, name: string, value: string): MakeModule {
  return webhookRespond(
    ctx.ids,
    name,
    '200',
    json([
      ['outcome', value],
      ['event_uuid', quoted(formula(fact(ctx, FACTS.eventUuid)))],
    ]),
  );
}
