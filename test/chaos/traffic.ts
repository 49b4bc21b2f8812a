import {
  buildInviteeCanceled,
  buildInviteeCreated,
  type InviteeWebhookBody,
} from '../support/calendly-payloads';
import { prng } from '../support/lifecycle-sim';

/** Calendly hosts that are Zoom users of the account. */
export const CHAOS_HOSTS = [
  'ana@chaos.example',
  'ben@chaos.example',
  'chloe@chaos.example',
  'dev@chaos.example',
] as const;
/** A Zoom user whose meeting creates all answer Zoom's per-user daily 429. */
export const DAILY_LIMIT_HOST = 'capped@chaos.example';
/** A Calendly host with no Zoom user: the receiver falls back to ZOOM_DEFAULT_HOST. */
export const HOST_WITHOUT_ZOOM = 'nozoom@chaos.example';
export const DEFAULT_HOST = 'default@chaos.example';
/** Every user the fake Zoom account has. */
export const ZOOM_USERS: readonly string[] = [...CHAOS_HOSTS, DAILY_LIMIT_HOST, DEFAULT_HOST];

export type DeliveryKind = InviteeWebhookBody['event'];

/** One webhook Calendly will send (and resend until it is answered 2xx). */
export interface PlannedDelivery {
  id: number;
  kind: DeliveryKind;
  eventUuid: string;
  inviteeUuid: string;
  host: string;
  /** The exact bytes; the sender signs them afresh on every attempt, as Calendly does. */
  rawBody: string;
  /** Set on a second copy of another delivery (a Calendly retry, a replay). */
  duplicateOf: number | null;
  /** Which story produced it, for the traffic summary. */
  story: StoryKind;
}

/** What Calendly itself says about a scheduled event once every delivery is in. */
export interface ExpectedBooking {
  eventUuid: string;
  host: string;
  /** Invitees still booked: the event wants a Zoom meeting exactly when this is > 0. */
  activeInvitees: number;
}

export interface Traffic {
  seed: number;
  deliveries: PlannedDelivery[];
  bookings: Map<string, ExpectedBooking>;
  /** Deliveries per story kind, duplicates counted separately. */
  mix: Record<StoryKind | 'duplicates', number>;
}

export type StoryKind =
  | 'booked'
  | 'booked_then_cancelled'
  | 'cancel_before_create'
  | 'reschedule'
  | 'group'
  | 'daily_limit_host';

export interface TrafficOptions {
  seed: number;
  /** Deliveries in all, duplicates included (approximately: stories are not cut short). */
  size: number;
  /** Names every booking, so runs sharing one Redis never meet. */
  runId: string;
  /** Share of deliveries sent twice. */
  duplicateRate?: number;
  /** False leaves the daily-limited host out (the fault-free phase). */
  dailyLimitHost?: boolean;
}

interface Step {
  kind: DeliveryKind;
  body: InviteeWebhookBody;
  eventUuid: string;
  inviteeUuid: string;
  host: string;
}

/** How many stories are "open" at once: their steps interleave, as bookings do in real life. */
const OPEN_STORIES = 24;
/** A duplicate lands within this many deliveries of its original (0: sent concurrently). */
const DUPLICATE_SPREAD = 40;

/**
 * Deterministic Calendly traffic for one seed: bookings, cancellations, cancellations that arrive
 * before their booking, reschedules with either half first (sometimes rescheduled or cancelled
 * again), group events with joins, leaves and a member rescheduling out, bookings of the host
 * whose Zoom user is at its daily limit, and ~10 % duplicates. The expected end state is what
 * Calendly's own records say, whatever order the deliveries arrive in.
 */
export function generateTraffic(options: TrafficOptions): Traffic {
  const rand = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const chance = (p: number): boolean => rand() < p;
  const bookings = new Map<string, ExpectedBooking & { invitees: Map<string, boolean> }>();
  let events = 0;
  let invitees = 0;
  let slot = 0;

  const newEvent = (host: string, seats = 1) => {
    const eventUuid = `${options.runId}-e${events++}`;
    // Every booking its own slot, so meetings are told apart by time as well as by marker.
    const start = new Date(Date.UTC(2027, 0, 4, 8) + slot++ * 15 * 60_000);
    bookings.set(eventUuid, { eventUuid, host, activeInvitees: 0, invitees: new Map() });
    return { eventUuid, host, start, seats };
  };
  type Event = ReturnType<typeof newEvent>;
  const newInvitee = (): string => `${options.runId}-i${invitees++}`;
  const setActive = (event: Event, invitee: string, active: boolean): void => {
    bookings.get(event.eventUuid)?.invitees.set(invitee, active);
  };

  const create = (event: Event, inviteeUuid: string, oldInvitee?: Ref): Step => {
    setActive(event, inviteeUuid, true);
    return {
      kind: 'invitee.created',
      eventUuid: event.eventUuid,
      inviteeUuid,
      host: event.host,
      body: buildInviteeCreated({
        ...common(event, inviteeUuid),
        ...(oldInvitee ? { oldInvitee } : {}),
      }),
    };
  };
  const cancel = (event: Event, inviteeUuid: string, newInvitee?: Ref): Step => {
    setActive(event, inviteeUuid, false);
    return {
      kind: 'invitee.canceled',
      eventUuid: event.eventUuid,
      inviteeUuid,
      host: event.host,
      body: buildInviteeCanceled({
        ...common(event, inviteeUuid),
        ...(newInvitee ? { newInvitee } : {}),
      }),
    };
  };
  const common = (event: Event, inviteeUuid: string) => ({
    eventUuid: event.eventUuid,
    inviteeUuid,
    start: event.start,
    hostEmail: event.host,
    invitee: { name: `Invitee ${inviteeUuid}`, email: `${inviteeUuid}@invitees.example` },
    seats: { limit: event.seats },
  });
  const host = (): string => (chance(0.05) ? HOST_WITHOUT_ZOOM : pick(CHAOS_HOSTS));

  /** Both halves of moving `invitee` of `from` to a new single booking, in either order. */
  const reschedulePair = (
    from: Event,
    invitee: string,
  ): { steps: Step[]; to: Event; inv: string } => {
    const to = newEvent(from.host);
    const inv = newInvitee();
    const cancelOld = cancel(from, invitee, { eventUuid: to.eventUuid, inviteeUuid: inv });
    const createNew = create(to, inv, { eventUuid: from.eventUuid, inviteeUuid: invitee });
    return { steps: chance(0.5) ? [cancelOld, createNew] : [createNew, cancelOld], to, inv };
  };

  const stories: { kind: StoryKind; steps: Step[] }[] = [];
  const storyMaker: [number, StoryKind, () => Step[]][] = [
    [0.3, 'booked', () => [create(newEvent(host()), newInvitee())]],
    [
      0.14,
      'booked_then_cancelled',
      () => {
        const e = newEvent(host());
        const i = newInvitee();
        return [create(e, i), cancel(e, i)];
      },
    ],
    [
      0.1,
      'cancel_before_create',
      () => {
        const e = newEvent(host());
        const i = newInvitee();
        const made = create(e, i);
        return [cancel(e, i), made];
      },
    ],
    [
      0.24,
      'reschedule',
      () => {
        const from = newEvent(host());
        const first = newInvitee();
        const createOld = create(from, first);
        let pair = reschedulePair(from, first);
        // Sometimes the old booking's own create is the last of the three to arrive.
        const steps = chance(0.15) ? [...pair.steps, createOld] : [createOld, ...pair.steps];
        if (chance(0.12)) {
          pair = reschedulePair(pair.to, pair.inv);
          steps.push(...pair.steps);
        }
        if (chance(0.2)) steps.push(cancel(pair.to, pair.inv));
        return steps;
      },
    ],
    [
      0.14,
      'group',
      () => {
        const size = 2 + Math.floor(rand() * 3);
        const e = newEvent(host(), size + 2);
        const members = Array.from({ length: size }, newInvitee);
        const steps = members.map((i) => create(e, i));
        for (const i of members) {
          if (chance(0.35)) {
            const leave = cancel(e, i);
            // A leave may overtake its own join.
            if (chance(0.15)) steps.splice(members.indexOf(i), 0, leave);
            else steps.push(leave);
          }
        }
        const stayer = members.find((i) => bookings.get(e.eventUuid)?.invitees.get(i) === true);
        if (stayer !== undefined && chance(0.2)) steps.push(...reschedulePair(e, stayer).steps);
        return steps;
      },
    ],
    [
      0.08,
      'daily_limit_host',
      () => {
        const e = newEvent(DAILY_LIMIT_HOST);
        const i = newInvitee();
        return chance(0.3) ? [create(e, i), cancel(e, i)] : [create(e, i)];
      },
    ],
  ];
  const makers =
    options.dailyLimitHost === false
      ? storyMaker.filter(([, kind]) => kind !== 'daily_limit_host')
      : storyMaker;
  const totalWeight = makers.reduce((sum, [w]) => sum + w, 0);

  const duplicateRate = options.duplicateRate ?? 0.1;
  const originals = Math.round(options.size / (1 + duplicateRate));
  let planned = 0;
  while (planned < originals) {
    let roll = rand() * totalWeight;
    const maker = makers.find(([w]) => (roll -= w) < 0) ?? makers[0];
    if (!maker) break;
    const steps = maker[2]();
    stories.push({ kind: maker[1], steps });
    planned += steps.length;
  }

  // Interleave: a few dozen stories unfold at once, each in its own order.
  const ordered: { step: Step; story: StoryKind }[] = [];
  const open: { kind: StoryKind; steps: Step[] }[] = [];
  let nextStory = 0;
  while (open.length > 0 || nextStory < stories.length) {
    while (open.length < OPEN_STORIES && nextStory < stories.length) {
      const story = stories[nextStory++];
      if (story) open.push({ kind: story.kind, steps: [...story.steps] });
    }
    const index = Math.floor(rand() * open.length);
    const story = open[index];
    const step = story?.steps.shift();
    if (story && step) ordered.push({ step, story: story.kind });
    if (story && story.steps.length === 0) open.splice(index, 1);
  }

  const deliveries: PlannedDelivery[] = ordered.map(({ step, story }, id) => ({
    id,
    kind: step.kind,
    eventUuid: step.eventUuid,
    inviteeUuid: step.inviteeUuid,
    host: step.host,
    rawBody: JSON.stringify(step.body),
    duplicateOf: null,
    story,
  }));
  for (const original of deliveries.filter(() => chance(duplicateRate))) {
    const at = deliveries.indexOf(original) + 1 + Math.floor(rand() * DUPLICATE_SPREAD);
    deliveries.splice(Math.min(at, deliveries.length), 0, { ...original });
  }
  // Numbered in sending order; a copy points at the first delivery of the same bytes.
  const firstOf = new Map<string, number>();
  deliveries.forEach((d, id) => {
    d.id = id;
    d.duplicateOf = firstOf.get(d.rawBody) ?? null;
    if (d.duplicateOf === null) firstOf.set(d.rawBody, id);
  });

  const mix = {
    booked: 0,
    booked_then_cancelled: 0,
    cancel_before_create: 0,
    reschedule: 0,
    group: 0,
    daily_limit_host: 0,
    duplicates: 0,
  };
  for (const d of deliveries) mix[d.duplicateOf === null ? d.story : 'duplicates'] += 1;

  return {
    seed: options.seed,
    deliveries,
    bookings: new Map(
      [...bookings].map(([uuid, b]) => [
        uuid,
        {
          eventUuid: uuid,
          host: b.host,
          activeInvitees: [...b.invitees.values()].filter(Boolean).length,
        },
      ]),
    ),
    mix,
  };
}

type Ref = { eventUuid: string; inviteeUuid: string };
