// invitee.canceled: per invitee, as the engine does (src/store/transitions.ts). A cancel before
// any booking leaves a tombstone (after deleting a meeting an outage left without a record); a
// group event keeps its meeting while another invitee remains; the last one out deletes it (Zoom
// 404 = already gone = done) — or, in "move" mode for a reschedule, keeps it for the new booking,
// unless that booking already has a record of its own.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { answer } from './answers';
import {
  claimLive,
  listed,
  othersRemain,
  withInvitee,
  withoutInvitee,
  writeBooking,
} from './booking-record';
import { lookUpBooking } from './booking-lookup';
import { condition } from './conditions';
import { BOOKING_STATUS } from './data-structures';
import { inviteeUuid, linkedEventUuid, rescheduled } from './facts';
import { formula, out } from './formula';
import { recoverAndDelete, tombstone } from './meeting-search';
import { deleteMeeting, keepForMove } from './meeting-steps';
import { either, switchOn } from './routers';

export function canceledRoute(ctx: BuildContext): MakeModule[] {
  const invitee = inviteeUuid(ctx);
  return lookUpBooking(ctx, {
    what: 'this booking',
    unknown: () => tombstone(ctx),
    known: (record) =>
      either(
        ctx.ids,
        'Cancelled already?',
        { name: 'Invitee cancelled already', conditions: listed(out(record, 'canceled'), invitee) },
        () => [
          answer(ctx, 'cancelled already', {
            status: '200',
            outcome: { formula: `"already_" + ${out(record, 'status')}` },
          }),
        ],
        () => cancelInvitee(ctx, record),
      ),
  });
}

function cancelInvitee(ctx: BuildContext, record: number): MakeModule[] {
  const invitee = inviteeUuid(ctx);
  const others = {
    name: 'Other invitees remain',
    conditions: othersRemain(out(record, 'invitees'), invitee),
  };
  const leave = (outcome: string): MakeModule[] => [
    writeBooking(ctx, {
      name: 'record the cancel (meeting unchanged)',
      from: record,
      set: {
        invitees: withoutInvitee(out(record, 'invitees'), invitee),
        canceled: withInvitee(out(record, 'canceled'), invitee),
      },
    }),
    answer(ctx, 'cancel recorded', { status: '200', outcome: { formula: outcome } }),
  ];
  const kept = (): MakeModule[] => leave('"kept_for_other_invitees"');
  const remove = (): MakeModule[] => deleteMeeting(ctx, record, out(record, 'meeting_id'));
  return switchOn(
    ctx.ids,
    'What the record says',
    formula(out(record, 'status')),
    [
      {
        values: [BOOKING_STATUS.active],
        name: 'Active',
        modules: () =>
          either(ctx.ids, 'Last invitee out?', others, kept, () =>
            ctx.options.reschedule === 'move'
              ? either(
                  ctx.ids,
                  'A reschedule?',
                  {
                    name: 'Rescheduled',
                    conditions: condition(formula(rescheduled(ctx)), 'boolean:equal', 'true'),
                  },
                  () => keepUnlessTaken(ctx, record),
                  remove,
                )
              : remove(),
          ),
      },
      {
        // The new booking of a move was cancelled before its create: the kept meeting goes.
        values: [BOOKING_STATUS.pendingMove],
        name: 'Meeting waiting to be moved here',
        modules: () => either(ctx.ids, 'Last invitee out?', others, kept, remove),
      },
      {
        values: [BOOKING_STATUS.creating],
        name: 'Creating',
        modules: () =>
          either(ctx.ids, 'Last invitee out?', others, kept, () =>
            either(
              ctx.ids,
              'Still claimed?',
              { name: 'Claim still live', conditions: claimLive(record) },
              () => [
                answer(ctx, 'a create is still at Zoom', { status: '503', outcome: 'in_progress' }),
              ],
              () => recoverAndDelete(ctx, record),
            ),
          ),
      },
    ],
    {
      // Finished or failed: no meeting to delete; remember the invitee's cancel all the same.
      name: 'No meeting to delete',
      modules: () => leave(`"already_" + ${out(record, 'status')}`),
    },
  );
}

/** Move mode: keep the meeting for the new booking, unless it already has a record of its own. */
function keepUnlessTaken(ctx: BuildContext, record: number): MakeModule[] {
  return lookUpBooking(ctx, {
    what: 'the new booking',
    key: formula(linkedEventUuid(ctx, 'new_invitee')),
    read: false,
    unknown: () => keepForMove(ctx, record),
    known: () => deleteMeeting(ctx, record, out(record, 'meeting_id')),
  });
}
