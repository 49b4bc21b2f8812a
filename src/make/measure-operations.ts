// Operations per path, measured by running the scenario in the simulator against a Zoom that
// always says yes: what blueprints/README.md prints. The lifecycle suite (test/make/) measures the
// same paths against the fake Zoom over HTTP and must find the same numbers.

import { signCalendlyPayload } from '../calendly/signature';
import { buildSampleEvent } from '../calendly/sample-events';
import { DEFAULT_CALENDLY_API_URL } from '../calendly/calendly-api';
import type { InviteeEventKind } from '../calendly/invitee-event';
import { buildBlueprint } from './build-blueprint';
import { buildPruneBlueprint } from './build-prune-blueprint';
import { recordRetentionSeconds } from './booking-record';
import { BOOKINGS_STORE_NAME, BOOKINGS_STRUCTURE } from './data-structures';
import type { BlueprintOptions } from './options';
import { scriptedZoom } from './scripted-zoom';
import type { HttpClient } from '../http';
import { MakeSimulator, recordSize, type Keychain, type MakeDeliveryOptions } from './simulator';
import { STORE_MEETING } from './meeting-steps';
import { ZOOM_API_URL, ZOOM_OAUTH_URL } from './zoom-steps';

/** The targets: a junk request, and a booking's create or cancel. */
export const OPERATION_TARGETS = { junk: 2, booking: 8 } as const;

export interface Measurement {
  paths: PathOperations[];
  /** The largest record the runs wrote, in bytes as the simulator counts them. */
  largestRecordBytes: number;
}

export interface PathOperations {
  path: string;
  operations: number;
  /** The target this path is held to, if any. */
  target: number | null;
}

/** Any fixed moment: operations do not depend on the date. */
const MEASURED_AT = Date.UTC(2026, 2, 2, 9, 0, 0);
const MEASURING_KEY = 'measuring-signing-key';

/** Where the measured runs send Zoom's requests; by default a Zoom in memory that says yes. */
export interface ZoomForMeasuring {
  http: HttpClient;
  /** Base URL standing in for both https://api.zoom.us and https://zoom.us. */
  url: string;
  accountId: string;
  keychain: Keychain;
}

export async function measureOperations(
  options: BlueprintOptions,
  zoom: ZoomForMeasuring = {
    http: scriptedZoom(),
    url: 'https://scripted.zoom',
    accountId: 'scripted-account',
    keychain: { username: 'client-id', password: 'client-secret' },
  },
): Promise<Measurement> {
  // The same scenario with a key to sign with (the placeholder one would refuse everything), and
  // the Account ID the Zoom in use knows.
  const measured = {
    ...options,
    signingKey: options.signingKey ?? MEASURING_KEY,
    zoomAccountId: zoom.accountId,
  };
  const sim = new MakeSimulator({
    blueprint: buildBlueprint(measured),
    dataStructures: [BOOKINGS_STRUCTURE],
    dataStores: [
      {
        name: BOOKINGS_STORE_NAME,
        structure: BOOKINGS_STRUCTURE.name,
        id: options.makeIds.bookingsStore,
      },
    ],
    baseUrls: {
      [new URL(ZOOM_API_URL).origin]: zoom.url,
      [new URL(ZOOM_OAUTH_URL).origin]: zoom.url,
    },
    keychains: { '*': zoom.keychain },
    http: zoom.http,
    now: () => MEASURED_AT,
  });
  const results: PathOperations[] = [];
  const deliver = async (
    path: string,
    target: number | null,
    kind: InviteeEventKind,
    booking: Booking,
    { links = {}, key = measured.signingKey, run = {} }: Extras = {},
  ): Promise<void> => {
    const body = sampleBody(kind, booking, links);
    const header = signCalendlyPayload(body, key, Math.floor(sim.now() / 1000));
    const result = await sim.deliver(
      { body, headers: { 'calendly-webhook-signature': header } },
      run,
    );
    results.push({ path, operations: result.operations, target });
  };
  const { junk, booking } = OPERATION_TARGETS;
  const a = { event: 'ev-a', invitee: 'inv-a1' };
  await deliver('Forged, unsigned or stale delivery (401)', junk, 'invitee.created', a, {
    key: 'not-the-key',
  });
  await deliver('New booking: meeting created', booking, 'invitee.created', a);
  await deliver('The same invitee.created again (duplicate)', null, 'invitee.created', a);
  const o = { event: 'ev-o', invitee: 'inv-o1' };
  const outage: MakeDeliveryOptions = {
    stopBefore: (m) => (m.metadata.designer.name ?? '').endsWith(STORE_MEETING),
  };
  await deliver('(Make stops the run before the record write)', null, 'invitee.created', o, {
    run: outage,
  });
  await deliver(
    'New booking delivered again after Make stopped its run before the record write (meeting found)',
    booking,
    'invitee.created',
    o,
  );
  await deliver('Group event: another invitee joins', null, 'invitee.created', {
    ...a,
    invitee: 'inv-a2',
  });
  await deliver('Group event: an invitee cancels, others remain', booking, 'invitee.canceled', {
    ...a,
    invitee: 'inv-a2',
  });
  await deliver('Last invitee cancels: meeting deleted', booking, 'invitee.canceled', a);
  await deliver('A new invitee books the cancelled slot (reopened)', booking, 'invitee.created', {
    ...a,
    invitee: 'inv-a3',
  });
  const b = { event: 'ev-b', invitee: 'inv-b1' };
  await deliver('Cancel before create (tombstone)', booking, 'invitee.canceled', b);
  await deliver('The late create of a cancelled invitee', null, 'invitee.created', b);
  const [old1, new1, old2, new2] = ['c', 'd', 'e', 'f'].map((x) => ({
    event: `ev-${x}`,
    invitee: `inv-${x}`,
  })) as [Booking, Booking, Booking, Booking];
  const mode = options.reschedule;
  const reschedules: Array<[string, InviteeEventKind, Booking, Links]> = [
    ['(a booking to reschedule)', 'invitee.created', old1, {}],
    ['create first: the new booking', 'invitee.created', new1, { oldOf: old1 }],
    ["create first: the old booking's cancel", 'invitee.canceled', old1, { newOf: new1 }],
    ['(another booking to reschedule)', 'invitee.created', old2, {}],
    ["cancel first: the old booking's cancel", 'invitee.canceled', old2, { newOf: new2 }],
    ['cancel first: the new booking', 'invitee.created', new2, { oldOf: old2 }],
  ];
  // Reschedules that cannot move a meeting: one invitee of several leaves, or one joins an event
  // that already has a meeting.
  const g1 = { event: 'ev-g', invitee: 'inv-g1' };
  const g2 = { event: 'ev-g', invitee: 'inv-g2' };
  const h = { event: 'ev-h', invitee: 'inv-h1' };
  const i = { event: 'ev-i', invitee: 'inv-i1' };
  const j1 = { event: 'ev-j', invitee: 'inv-j1' };
  const j2 = { event: 'ev-j', invitee: 'inv-j2' };
  reschedules.push(
    ['(a group booking)', 'invitee.created', g1, {}],
    ['(another invitee joins it)', 'invitee.created', g2, {}],
    ['one invitee of several, create first: the new booking', 'invitee.created', h, { oldOf: g1 }],
    ['(its cancel: others remain)', 'invitee.canceled', g1, { newOf: h }],
    ['(a booking)', 'invitee.created', i, {}],
    ['(an event with a meeting of its own)', 'invitee.created', j1, {}],
    ['(the booking moves into it)', 'invitee.created', j2, { oldOf: i }],
    [
      "into an event with a meeting of its own: the old booking's cancel",
      'invitee.canceled',
      i,
      { newOf: j2 },
    ],
  );
  for (const [what, kind, bookingRef, links] of reschedules) {
    const setUp = what.startsWith('(');
    await deliver(
      setUp ? what : `Reschedule (${mode}), ${what}`,
      setUp ? null : booking,
      kind,
      bookingRef,
      { links },
    );
  }

  // Every booking above has ended and no delivery about it can be accepted any more.
  const later = MEASURED_AT + (2 * 86_400 + recordRetentionSeconds(options)) * 1000;
  const prune = new MakeSimulator({
    blueprint: buildPruneBlueprint(options),
    stores: sim.stores,
    now: () => later,
  });
  const records = Object.entries(sim.records(BOOKINGS_STORE_NAME));
  const largestRecordBytes = Math.max(...records.map(([key, data]) => recordSize(key, data)));
  const expired = records.length;
  const run = await prune.runOnce();
  results.push({
    path: `Daily prune, deleting ${expired} expired records`,
    operations: run.operations,
    target: null,
  });
  return { paths: results.filter((r) => !r.path.startsWith('(')), largestRecordBytes };
}

interface Booking {
  event: string;
  invitee: string;
}

/** The reschedule a delivery is half of: the booking it replaces, or the one replacing it. */
interface Links {
  oldOf?: Booking;
  newOf?: Booking;
}

interface Extras {
  links?: Links;
  /** The key the delivery is signed with. */
  key?: string;
  run?: MakeDeliveryOptions;
}

function sampleBody(kind: InviteeEventKind, booking: Booking, links: Links): string {
  const uri = (b: Booking | undefined): string | undefined =>
    b && `${DEFAULT_CALENDLY_API_URL}/scheduled_events/${b.event}/invitees/${b.invitee}`;
  const sample = buildSampleEvent({
    kind,
    now: MEASURED_AT,
    eventUuid: booking.event,
    inviteeUuid: booking.invitee,
    hostEmail: 'host@example.com',
    oldInviteeUri: uri(links.oldOf),
    newInviteeUri: uri(links.newOf),
  });
  return JSON.stringify(sample.body);
}
