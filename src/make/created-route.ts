// invitee.created: a new booking gets a meeting; a known one is answered from its record, per
// invitee as the engine does (src/store/transitions.ts): an invitee who cancelled stays cancelled,
// a new invitee of a group event joins the meeting, a finished booking booked again is reopened
// with a new meeting, a create whose answer was lost is recovered by the meeting's marker.

import type { MakeModule } from './blueprint-types';
import { payload, type BuildContext } from './build-context';
import { answer } from './answers';
import { claimLive, listed, othersRemain, withInvitee, writeBooking } from './booking-record';
import { lookUpBooking } from './booking-lookup';
import { and, condition, not } from './conditions';
import { BOOKING_STATUS } from './data-structures';
import { inviteeUuid, linkedEventUuid, linkedInviteeUuid } from './facts';
import { formula, out } from './formula';
import { newMeeting, recoverMeeting } from './meeting-search';
import { createMeeting, moveMeeting } from './meeting-steps';
import { either, switchOn } from './routers';

export function createdRoute(ctx: BuildContext): MakeModule[] {
  return lookUpBooking(ctx, {
    what: 'this booking',
    unknown: () => (ctx.options.reschedule === 'move' ? rescheduledOrNew(ctx) : newMeeting(ctx)),
    known: (record) => knownBooking(ctx, record),
  });
}

function knownBooking(ctx: BuildContext, record: number): MakeModule[] {
  const invitee = inviteeUuid(ctx);
  const field = (name: string): string => out(record, name);
  const meeting = { meetingId: field('meeting_id'), joinUrl: field('join_url') };
  const thisInvitee = {
    name: 'This invitee is booked on it',
    conditions: listed(field('invitees'), invitee),
  };
  return either(
    ctx.ids,
    'Did this invitee cancel already?',
    { name: 'Invitee cancelled earlier', conditions: listed(field('canceled'), invitee) },
    () => [
      answer(ctx, 'invitee cancelled earlier, nothing made', {
        status: '200',
        outcome: 'tombstoned',
      }),
    ],
    () =>
      switchOn(
        ctx.ids,
        'What the record says',
        formula(field('status')),
        [
          {
            values: [BOOKING_STATUS.active],
            name: 'Active',
            modules: () =>
              either(
                ctx.ids,
                'Known invitee, or one joining?',
                thisInvitee,
                () => [
                  answer(ctx, 'already has its meeting', {
                    status: '200',
                    outcome: 'duplicate',
                    ...meeting,
                  }),
                ],
                () => [
                  writeBooking(ctx, {
                    name: 'add the invitee (group event)',
                    from: record,
                    set: { invitees: withInvitee(field('invitees'), invitee) },
                  }),
                  answer(ctx, 'joined the meeting', {
                    status: '200',
                    outcome: 'duplicate',
                    ...meeting,
                  }),
                ],
              ),
          },
          {
            values: [BOOKING_STATUS.failed],
            name: 'Failed before',
            modules: () =>
              either(
                ctx.ids,
                'The same invitee, or another?',
                thisInvitee,
                () => [
                  answer(ctx, 'Zoom refused it before', {
                    status: '200',
                    outcome: 'failed',
                    reason: field('last_error'),
                  }),
                ],
                () => createMeeting(ctx, record),
              ),
          },
          {
            values: [BOOKING_STATUS.creating],
            name: 'Creating',
            modules: () =>
              either(
                ctx.ids,
                'Still claimed?',
                { name: 'Claim still live', conditions: claimLive(record) },
                () => [
                  answer(ctx, 'another delivery is creating it', {
                    status: '503',
                    outcome: 'in_progress',
                  }),
                ],
                () => recoverMeeting(ctx, record),
              ),
          },
          ...(ctx.options.reschedule === 'move'
            ? [
                {
                  values: [BOOKING_STATUS.pendingMove],
                  name: 'Meeting waiting to be moved here',
                  modules: () =>
                    either(
                      ctx.ids,
                      'The rescheduling invitee?',
                      thisInvitee,
                      () => moveMeeting(ctx, record, 'cancel-first'),
                      () => [
                        answer(ctx, 'the move is not done yet', {
                          status: '503',
                          outcome: 'in_progress',
                        }),
                      ],
                    ),
                },
              ]
            : []),
        ],
        {
          // cancelled, superseded, tombstone: the booking is back (a new invitee, the slot rebooked).
          name: 'Finished: reopen with a new meeting',
          modules: () => createMeeting(ctx, record),
        },
      ),
  );
}

/**
 * Move mode, a booking seen for the first time: if it replaces a booking whose meeting nobody else
 * uses, move that meeting here; otherwise make a new one.
 */
function rescheduledOrNew(ctx: BuildContext): MakeModule[] {
  return either(
    ctx.ids,
    'A reschedule?',
    {
      name: 'Replaces another booking',
      conditions: condition(formula(payload(ctx, 'payload.old_invitee')), 'exist'),
    },
    () =>
      lookUpBooking(ctx, {
        what: 'the replaced booking',
        key: formula(linkedEventUuid(ctx, 'old_invitee')),
        unknown: () => createMeeting(ctx, null),
        known: (old) =>
          either(
            ctx.ids,
            'Can its meeting move?',
            {
              name: 'Active, with a meeting nobody else uses',
              conditions: and(
                condition(formula(out(old, 'status')), 'text:equal', BOOKING_STATUS.active),
                condition(formula(out(old, 'meeting_id')), 'exist'),
                not(othersRemain(out(old, 'invitees'), linkedInviteeUuid(ctx, 'old_invitee'))),
              ),
            },
            () => moveMeeting(ctx, old, 'create-first'),
            () => createMeeting(ctx, null),
          ),
      }),
    () => newMeeting(ctx),
  );
}
