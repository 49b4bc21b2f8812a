// Runs a Make scenario in the simulator against the fake Zoom over real HTTP on 127.0.0.1, with
// deliveries built and signed as Calendly sends them, and checks the invariant every lifecycle
// test ends with: live meetings in Zoom = bookings that should have one, nothing else.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meetingMarker } from '../../src/lifecycle';
import type {
  MakeBlueprint,
  MakeDataStructure,
  MakeModule,
  MakeScenarioSettings,
} from '../../src/make/blueprint-types';
import { buildBlueprint } from '../../src/make/build-blueprint';
import { BOOKINGS_STORE_NAME, BOOKINGS_STRUCTURE } from '../../src/make/data-structures';
import type { BlueprintOptionsInput } from '../../src/make/options';
import {
  MakeSimulator,
  type MakeDeliveryOptions,
  type MakeDeliveryResult,
  type MakeInterpretation,
  type RecordData,
} from '../../src/make/simulator';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  inviteeUri,
  scheduledEventUri,
  signedDelivery,
  type InviteeCanceledOptions,
  type InviteeCreatedOptions,
} from '../support/calendly-payloads';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';

export const SIGNING_KEY = 'make-kit-signing-key-0123456789';
/** 2026-03-02 09:00 UTC: before every booking the payload builders make (March 10 and later). */
export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

const BOOKINGS_STORE_ID = 41;
const ZOOM_KEYCHAIN_ID = 52;

export interface Booking {
  eventUuid: string;
  inviteeUuid: string;
}

export function newBooking(): Booking {
  return { eventUuid: randomUUID(), inviteeUuid: randomUUID() };
}

/** Another invitee on the same scheduled event (a group event). */
export function joining(booking: Booking): Booking {
  return { eventUuid: booking.eventUuid, inviteeUuid: randomUUID() };
}

export interface KitOptions {
  blueprint?: BlueprintOptionsInput;
  /** Scenario settings changed after generating, as a user could in Make's editor. */
  settings?: Partial<MakeScenarioSettings>;
  interpretation?: Partial<MakeInterpretation>;
  httpTimeoutMs?: number;
  maxSizeBytes?: number;
}

export interface MakeKit {
  sim: MakeSimulator;
  zoom: FakeZoomServer;
  /** Signs with the kit's key at the simulator's clock unless told otherwise. */
  deliver(
    body: unknown,
    signing?: { at?: number; key?: string },
    run?: MakeDeliveryOptions,
  ): Promise<MakeDeliveryResult>;
  created(
    booking: Booking,
    options?: InviteeCreatedOptions,
    run?: MakeDeliveryOptions,
  ): Promise<MakeDeliveryResult>;
  canceled(
    booking: Booking,
    options?: InviteeCanceledOptions,
    run?: MakeDeliveryOptions,
  ): Promise<MakeDeliveryResult>;
  bookings(): Record<string, RecordData>;
  /**
   * The lifecycle invariant: every scheduled event in `active` has one live meeting with its
   * marker and an active record pointing at it; no other meeting is live.
   */
  expectMeetingsFor(active: readonly Booking[]): void;
  close(): Promise<void>;
}

export async function startMakeKit(options: KitOptions = {}): Promise<MakeKit> {
  const zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  const blueprint = buildBlueprint({
    signingKey: SIGNING_KEY,
    zoomAccountId: zoom.credentials.accountId,
    ...options.blueprint,
    makeIds: { bookingsStore: BOOKINGS_STORE_ID, zoomKeychain: ZOOM_KEYCHAIN_ID },
  });
  Object.assign(blueprint.metadata.scenario, options.settings);
  const sim = new MakeSimulator({
    blueprint,
    dataStructures: [BOOKINGS_STRUCTURE],
    dataStores: [
      {
        name: BOOKINGS_STORE_NAME,
        structure: BOOKINGS_STRUCTURE.name,
        id: BOOKINGS_STORE_ID,
        maxSizeBytes: options.maxSizeBytes,
      },
    ],
    baseUrls: zoomStandIns(zoom),
    keychains: {
      [ZOOM_KEYCHAIN_ID]: {
        username: zoom.credentials.clientId,
        password: zoom.credentials.clientSecret,
      },
    },
    now: () => T0,
    httpTimeoutMs: options.httpTimeoutMs,
    interpretation: options.interpretation,
  });
  return kitAround(sim, zoom, BOOKINGS_STORE_NAME);
}

export function zoomStandIns(zoom: FakeZoomServer): Record<string, string> {
  return { 'https://api.zoom.us': zoom.url, 'https://zoom.us': zoom.url };
}

/** Stops a run at the first module whose name ends so (`stopBefore`: a Make outage there). */
export function moduleNamed(ending: string): (module: MakeModule) => boolean {
  return (module) => (module.metadata.designer.name ?? '').endsWith(ending);
}

export function kitAround(sim: MakeSimulator, zoom: FakeZoomServer, store: string): MakeKit {
  const deliver = (
    body: unknown,
    signing: { at?: number; key?: string } = {},
    run: MakeDeliveryOptions = {},
  ) => {
    const signed = signedDelivery(body, {
      signingKey: signing.key ?? SIGNING_KEY,
      timestamp: Math.floor((signing.at ?? sim.now()) / 1000),
    });
    return sim.deliver({ body: signed.rawBody, headers: signed.headers }, run);
  };
  const bookings = () => sim.records(store) as Record<string, RecordData>;
  return {
    sim,
    zoom,
    deliver,
    created: (b, o = {}, run) => deliver(buildInviteeCreated({ ...b, ...o }), {}, run),
    canceled: (b, o = {}, run) => deliver(buildInviteeCanceled({ ...b, ...o }), {}, run),
    bookings,
    expectMeetingsFor(active) {
      const live = zoom.liveMeetings();
      const events = [...new Set(active.map((b) => b.eventUuid))];
      const problems: string[] = [];
      for (const eventUuid of events) {
        const marker = meetingMarker(scheduledEventUri(eventUuid));
        const meetings = live.filter((m) => (m.agenda ?? '').includes(marker));
        const record = bookings()[eventUuid];
        if (meetings.length !== 1)
          problems.push(`${eventUuid}: ${meetings.length} live meetings, want 1`);
        if (record?.status !== 'active')
          problems.push(`${eventUuid}: record ${String(record?.status)}, want active`);
        else if (record.meeting_id !== meetings[0]?.id)
          problems.push(`${eventUuid}: record points elsewhere`);
      }
      if (live.length !== events.length) {
        problems.push(`${live.length} live meetings in Zoom, want ${events.length}`);
      }
      expect(problems).toEqual([]);
    },
    close: () => zoom.close(),
  };
}

/** The link fields of a reschedule's two halves. */
export function rescheduleLinks(from: Booking, to: Booking) {
  return {
    cancel: { newInvitee: { eventUuid: to.eventUuid, inviteeUuid: to.inviteeUuid } },
    create: { oldInvitee: inviteeUri(from.eventUuid, from.inviteeUuid) },
  } as const;
}

// The committed v1 blueprint, as a user would have set it up after import.

const FIXTURES = join(__dirname, '../fixtures/make/v1');
const V1_STORES = { bookings: 61, token: 62 };

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/**
 * v1 with its manual steps done: the store picked in every data store module (by the module's
 * name, as the checklist told the user), the signing key and Account ID pasted into Settings.
 */
export async function startV1Kit(
  options: { reschedule?: 'recreate' | 'move'; zoomHost?: string; maxSizeBytes?: number } = {},
): Promise<MakeKit> {
  const zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  const blueprint = readJson<MakeBlueprint>(
    options.reschedule === 'move'
      ? 'calendly-zoom-move.blueprint.json'
      : 'calendly-zoom.blueprint.json',
  );
  const pick = (modules: MakeModule[]): void => {
    for (const m of modules) {
      const name = m.metadata.designer.name ?? '';
      if (m.module.startsWith('datastore:')) {
        m.parameters = {
          ...m.parameters,
          datastore: name.startsWith('Token') ? V1_STORES.token : V1_STORES.bookings,
        };
      }
      if (name.startsWith('Settings')) {
        const values: Record<string, string> = {
          calendly_signing_key: SIGNING_KEY,
          zoom_account_id: zoom.credentials.accountId,
          ...(options.zoomHost === undefined ? {} : { zoom_host: options.zoomHost }),
        };
        const variables = m.mapper?.variables as Array<{ name: string; value: string }>;
        for (const v of variables) v.value = values[v.name] ?? v.value;
      }
      for (const route of m.routes ?? []) pick(route.flow);
      pick(m.onerror ?? []);
    }
  };
  pick(blueprint.flow);
  const sim = new MakeSimulator({
    blueprint,
    dataStructures: [
      readJson<MakeDataStructure>('calendly-zoom-booking.json'),
      readJson<MakeDataStructure>('calendly-zoom-token.json'),
    ],
    dataStores: [
      {
        name: 'bookings',
        structure: 'calendly-zoom-booking',
        id: V1_STORES.bookings,
        maxSizeBytes: options.maxSizeBytes,
      },
      { name: 'token', structure: 'calendly-zoom-token', id: V1_STORES.token },
    ],
    baseUrls: zoomStandIns(zoom),
    keychains: {
      '*': { username: zoom.credentials.clientId, password: zoom.credentials.clientSecret },
    },
    now: () => T0,
  });
  return kitAround(sim, zoom, 'bookings');
}
