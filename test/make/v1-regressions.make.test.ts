// Each problem issue 11 found in the v1 scenario, reproduced: the same deliveries run through the
// v1 blueprint (test/fixtures/make/v1/, as committed before) and through v2, in the simulator
// against the fake Zoom. Every test shows v1 doing the harm and v2 not doing it, so each one
// failed on the old blueprint.

import { buildPruneBlueprint } from '../../src/make/build-prune-blueprint';
import { BOOKINGS_STRUCTURE } from '../../src/make/data-structures';
import { buildBlueprints, BOOKINGS_STRUCTURE_FILE } from '../../src/make/build-blueprints';
import { buildBlueprint } from '../../src/make/build-blueprint';
import { allModules } from '../../src/make/import-checklist';
import type { MakeBlueprint, MakeDataStructure } from '../../src/make/blueprint-types';
import { MakeSimulator } from '../../src/make/simulator';
import { keepNetworkLocal } from '../e2e/e2e-kit';
import { buildInviteeCreated } from '../support/calendly-payloads';
import { zoomFaults } from '../support/fake-zoom-server';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  joining,
  newBooking,
  rescheduleLinks,
  startMakeKit,
  startV1Kit,
  type Booking,
  type MakeKit,
} from './make-kit';

keepNetworkLocal();

const outcome = (result: { body: string }): unknown =>
  result.body === 'Accepted'
    ? 'Accepted'
    : (JSON.parse(result.body) as { outcome?: unknown }).outcome;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Runs the same story on v1 and v2, closing both kits whatever happens. */
async function onBoth<T>(
  story: (kit: MakeKit, version: 'v1' | 'v2') => Promise<T>,
  kits: { v1?: () => Promise<MakeKit>; v2?: () => Promise<MakeKit> } = {},
): Promise<{ v1: T; v2: T }> {
  const v1 = await (kits.v1 ?? (() => startV1Kit()))();
  const v2 = await (kits.v2 ?? (() => startMakeKit()))();
  try {
    return { v1: await story(v1, 'v1'), v2: await story(v2, 'v2') };
  } finally {
    await v1.zoom.idle();
    await v2.zoom.idle();
    await v1.close();
    await v2.close();
  }
}

/** Bookings without their live meeting: each one is a booking Calendly believes is done. */
function lost(kit: MakeKit, bookings: readonly Booking[]): string[] {
  const live = kit.zoom.liveMeetings().map((m) => m.agenda ?? '');
  return bookings
    .filter((b) => !live.some((agenda) => agenda.includes(b.eventUuid)))
    .map((b) => b.eventUuid);
}

describe('one parked run stalls everything, then queued bookings are thrown away', () => {
  it('v1 parks a twice-rate-limited create, queues the next booking behind it, and drops it as stale; v2 does neither', async () => {
    const parked = newBooking();
    const queued = newBooking();
    const result = await onBoth(async (kit) => {
      // The create and its inline retry both meet Zoom's per-second limit.
      kit.zoom.failNext('createMeeting', zoomFaults.perSecondLimit(), 2);
      const first = await kit.created(parked);
      const second = await kit.created(queued);
      await kit.sim.advance(16 * MINUTE);
      // Calendly redelivers whatever was not answered 2xx; an "Accepted" it never retries.
      if (first.status !== 200) await kit.created(parked);
      if (second.status !== 200) await kit.created(queued);
      return {
        parked: first.parked,
        secondQueued: second.queued,
        secondAnswer: second.status,
        lost: lost(kit, [parked, queued]),
        stale401: kit.sim.runs().filter((r) => r.answer?.status === 401).length,
      };
    });
    expect(result.v1).toEqual({
      parked: true,
      secondQueued: true,
      secondAnswer: 200,
      lost: [queued.eventUuid],
      stale401: 1,
    });
    expect(result.v2).toEqual({
      parked: false,
      secondQueued: false,
      secondAnswer: 503,
      lost: [],
      stale401: 0,
    });
  });

  it('v1 drops a delivery processed 30 minutes after it was signed; v2 accepts it', async () => {
    const b = newBooking();
    const result = await onBoth(async (kit) => {
      const signedAt = kit.sim.now();
      await kit.sim.advance(30 * MINUTE);
      const answer = await kit.deliver(buildInviteeCreated(b), { at: signedAt });
      return { status: answer.status, lost: lost(kit, [b]) };
    });
    expect(result.v1).toEqual({ status: 401, lost: [b.eventUuid] });
    expect(result.v2).toEqual({ status: 200, lost: [] });
  });
});

describe('group events: state per invitee, not per scheduled event', () => {
  it("v1 lets one invitee's early cancel block another invitee's booking; v2 books it", async () => {
    const a = newBooking();
    const b = joining(a);
    const result = await onBoth(async (kit) => {
      await kit.canceled(a);
      return { answer: outcome(await kit.created(b)), lost: lost(kit, [b]) };
    });
    expect(result.v1).toEqual({ answer: 'tombstoned', lost: [b.eventUuid] });
    expect(result.v2).toEqual({ answer: 'created', lost: [] });
  });

  it('v1 answers a new invitee after everyone cancelled with the deleted meeting; v2 makes a new one', async () => {
    const a = newBooking();
    const c = joining(a);
    const result = await onBoth(async (kit) => {
      await kit.created(a);
      await kit.canceled(a);
      return { answer: outcome(await kit.created(c)), lost: lost(kit, [c]) };
    });
    // v1's known-booking branch answers from the dead record.
    expect(result.v1).toEqual({ answer: 'duplicate', lost: [c.eventUuid] });
    expect(result.v2).toEqual({ answer: 'created', lost: [] });
  });

  it('v1 in move mode moves a meeting other invitees still use; v2 leaves it', async () => {
    const a = newBooking();
    const stays = joining(a);
    const to = newBooking();
    const links = rescheduleLinks(a, to);
    const result = await onBoth(
      async (kit) => {
        const meeting = JSON.parse((await kit.created(a)).body).meeting_id as string;
        await kit.created(stays);
        await kit.canceled(a, { ...links.cancel, seats: { active: 1 } });
        await kit.created(to, { ...links.create, start: '2026-03-20T10:00:00.000000Z' });
        return {
          stayingMeetingStart: kit.zoom.meeting(meeting)?.startTime,
          lost: lost(kit, [stays, to]),
        };
      },
      {
        v1: () => startV1Kit({ reschedule: 'move' }),
        v2: () => startMakeKit({ blueprint: { reschedule: 'move' } }),
      },
    );
    // The remaining invitee's meeting was moved to the rescheduler's new time.
    expect(result.v1.stayingMeetingStart).toBe('2026-03-20T10:00:00Z');
    expect(result.v2).toEqual({ stayingMeetingStart: '2026-03-10T14:00:00Z', lost: [] });
  });
});

describe('temporary states and permanent refusals', () => {
  it('v1 answers 200 in_progress to a booking left "creating" (Calendly stops retrying, forever); v2 answers 503, then recovers', async () => {
    const b = newBooking();
    const result = await onBoth(async (kit) => {
      // A run that died after claiming the booking: its record stays "creating".
      const store = kit.sim.stores.all()[0];
      if (store === undefined) throw new Error('no store');
      store.put(b.eventUuid, stuckClaim(store.definition.structure, b, kit.sim.now()));
      const first = await kit.created(b);
      await kit.sim.advance(11 * MINUTE);
      // Calendly redelivers only after a non-2xx answer.
      if (first.status !== 200) await kit.created(b);
      return { first: [first.status, outcome(first)], lost: lost(kit, [b]) };
    });
    expect(result.v1).toEqual({ first: [200, 'in_progress'], lost: [b.eventUuid] });
    expect(result.v2).toEqual({ first: [503, 'in_progress'], lost: [] });
  });

  it('v1 answers a permanent Zoom refusal 502 (24 h of retries, no record); v2 records it and answers 200', async () => {
    const b = newBooking();
    const result = await onBoth(
      async (kit) => {
        const answer = await kit.created(b);
        const record = Object.values(kit.bookings())[0];
        return {
          status: answer.status,
          operations: answer.operations,
          error: record?.last_error ?? null,
        };
      },
      {
        v1: () => startV1Kit({ zoomHost: 'nobody@example.com' }),
        v2: () => startMakeKit({ blueprint: { zoomHost: 'nobody@example.com' } }),
      },
    );
    expect(result.v1).toMatchObject({ status: 502, error: null });
    expect(result.v1.operations).toBeGreaterThan(8);
    expect(result.v2).toMatchObject({
      status: 200,
      error: expect.stringMatching(/does not exist/),
    });
  });
});

describe('cost', () => {
  it('v1 spends more than 8 operations per created booking and per cancel; v2 at most 8', async () => {
    const b = newBooking();
    const result = await onBoth(async (kit) => {
      const created = await kit.created(b);
      const canceled = await kit.canceled(b);
      return { created: created.operations, canceled: canceled.operations };
    });
    expect(result.v1.created).toBeGreaterThan(8);
    expect(result.v1.canceled).toBeGreaterThan(8);
    expect(result.v2.created).toBeLessThanOrEqual(8);
    expect(result.v2.canceled).toBeLessThanOrEqual(8);
  });
});

describe('growth and secrets', () => {
  it('v1 stores the start URL (a host secret) and the passcode; v2 stores neither', async () => {
    const b = newBooking();
    const result = await onBoth(async (kit) => {
      await kit.created(b);
      return JSON.stringify(kit.bookings());
    });
    expect(result.v1).toMatch(/zak=/);
    expect(result.v1).toMatch(/"password"/);
    expect(result.v2).not.toMatch(/zak=|start_url|password/);
  });

  it('v1 fills its data store and then loses bookings; v2, pruned daily, never fills it', async () => {
    const size = 24_000;
    const days = 8;
    const perDay = 6;
    const result = await onBoth(
      async (kit, version) => {
        const prune = new MakeSimulator({
          blueprint: buildPruneBlueprint({
            makeIds: { bookingsStore: kit.sim.stores.all()[0]?.definition.id },
          }),
          stores: kit.sim.stores,
          now: () => kit.sim.now(),
        });
        const kept: Booking[] = [];
        for (let day = 0; day < days; day++) {
          for (let i = 0; i < perDay; i++) {
            const b = newBooking();
            // Bookings a few hours ahead: they end the same day.
            const start = new Date(kit.sim.now() + (2 + i) * 3_600_000);
            await kit.created(b, { start });
            kept.push(b);
          }
          await kit.sim.advance(DAY);
          // v1 has no housekeeping scenario; v2's runs once a day.
          if (version === 'v2') await prune.runOnce();
        }
        return { lost: lost(kit, kept).length };
      },
      {
        v1: () => startV1Kit({ maxSizeBytes: size }),
        v2: () => startMakeKit({ maxSizeBytes: size }),
      },
    );
    expect(result.v1.lost).toBeGreaterThan(0);
    expect(result.v2.lost).toBe(0);
  });
});

describe('import friction', () => {
  const v1 = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/make/v1/calendly-zoom.blueprint.json'), 'utf8'),
  ) as MakeBlueprint;
  const v1Structure = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/make/v1/calendly-zoom-booking.json'), 'utf8'),
  ) as MakeDataStructure;

  it('v1 needs 31 manual picks after import (plus the hook); v2 with the ids given needs none', () => {
    expect(manualPicks(v1)).toBe(32);
    const v2 = buildBlueprint({
      signingKey: 'a-signing-key-for-this-test',
      zoomAccountId: 'account-1234',
      makeIds: { hook: 1, bookingsStore: 2, zoomKeychain: 3 },
    });
    expect(manualPicks(v2)).toBe(0);
  });

  it('v1 data structures are not strict and lack the team id; v2 is strict and carries it', async () => {
    expect(v1Structure.strict).toBe(false);
    expect(v1Structure).not.toHaveProperty('teamId');
    expect(BOOKINGS_STRUCTURE.strict).toBe(true);
    const { files } = await buildBlueprints({ teamId: 77 });
    const file = JSON.parse(files.find((f) => f.name === BOOKINGS_STRUCTURE_FILE)?.content ?? '{}');
    expect(file).toMatchObject({ teamId: 77, strict: true });
  });
});

/** Modules that need the user to pick something after import. */
function manualPicks(blueprint: MakeBlueprint): number {
  return allModules(blueprint.flow).filter(
    (m) =>
      (m.module === 'gateway:CustomWebHook' && m.parameters?.hook === undefined) ||
      (m.module.startsWith('datastore:') && m.parameters?.datastore === undefined) ||
      (m.parameters?.authenticationType === 'basicAuth' &&
        m.parameters.basicAuthKeychain === undefined),
  ).length;
}

/** The record a run that died after claiming leaves, in each version's shape. */
function stuckClaim(structure: MakeDataStructure | undefined, b: Booking, now: number) {
  const uri = `https://api.calendly.com/scheduled_events/${b.eventUuid}`;
  const updated = new Date(now - 20 * MINUTE).toISOString();
  return structure?.strict === true
    ? {
        event_uri: uri,
        status: 'creating',
        invitees: `,${b.inviteeUuid},`,
        zoom_user: 'me',
        claim_until: Math.floor(now / 1000) + 300,
        updated_at: updated,
        expires_at: Math.floor(now / 1000) + 10 * 86_400,
      }
    : { event_uuid: b.eventUuid, event_uri: uri, status: 'creating', updated_at: updated };
}
