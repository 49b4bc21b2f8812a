// The committed blueprints/ directory is exactly the generator's output with default options,
// the output is deterministic, and each option visibly changes it.

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { MakeBlueprint, MakeModule } from '../../../src/make/blueprint-types';
import {
  BLUEPRINT_FILE,
  BOOKINGS_STRUCTURE_FILE,
  PRUNE_BLUEPRINT_FILE,
  buildBlueprints,
} from '../../../src/make/build-blueprints';
import { BOOKINGS_STRUCTURE, PASTE_TEAM_ID } from '../../../src/make/data-structures';
import type { BlueprintOptionsInput } from '../../../src/make/options';
import { writeBlueprints } from '../../../src/make/write-blueprints';
import { ConfigError } from '../../../src/errors';

const COMMITTED = join(__dirname, '../../../blueprints');
const REGENERATE = 'npm run blueprints';

async function fileOf(name: string, options: BlueprintOptionsInput = {}): Promise<string> {
  const file = (await buildBlueprints(options)).files.find((f) => f.name === name);
  if (file === undefined) throw new Error(`No file ${name}`);
  return file.content;
}
async function blueprintOf(options: BlueprintOptionsInput = {}): Promise<MakeBlueprint> {
  return JSON.parse(await fileOf(BLUEPRINT_FILE, options)) as MakeBlueprint;
}
function allModules(flow: MakeModule[]): MakeModule[] {
  return flow.flatMap((m) => [
    m,
    ...(m.routes ?? []).flatMap((r) => allModules(r.flow)),
    ...allModules(m.onerror ?? []),
  ]);
}
const moduleNames = (bp: MakeBlueprint): string[] => allModules(bp.flow).map((m) => m.module);

describe('blueprints/ (committed)', () => {
  it('is up to date: every file is exactly what the generator writes', async () => {
    for (const { name, content } of (await buildBlueprints()).files) {
      const path = join(COMMITTED, name);
      if (!existsSync(path)) {
        throw new Error(`blueprints/${name} is missing. Regenerate with: ${REGENERATE}`);
      }
      if (readFileSync(path, 'utf8') !== content) {
        throw new Error(
          `blueprints/${name} is stale: the generator's output differs. Regenerate with: ${REGENERATE}`,
        );
      }
    }
  });

  it('holds nothing the generator does not write', async () => {
    const walk = async (dir: string): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true });
      const nested = await Promise.all(
        entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])),
      );
      return nested.flat();
    };
    const present = (await walk(COMMITTED)).map((p) =>
      relative(COMMITTED, p).split('\\').join('/'),
    );
    const { files } = await buildBlueprints();
    expect(present.sort()).toEqual(files.map((f) => f.name).sort());
  });
});

describe('the generator', () => {
  it('is deterministic: the same options give byte-identical files', async () => {
    expect(await buildBlueprints({ reschedule: 'move' })).toEqual(
      await buildBlueprints({ reschedule: 'move' }),
    );
    expect(await buildBlueprints()).toEqual(await buildBlueprints({}));
  });

  it('writes 2-space JSON with a trailing newline', async () => {
    for (const file of (await buildBlueprints()).files.filter((f) => f.name.endsWith('.json'))) {
      expect(file.content).toBe(`${JSON.stringify(JSON.parse(file.content), null, 2)}\n`);
    }
  });

  it("ships the data structure as Make's API takes it, and the checklist names every field", async () => {
    const { files } = await buildBlueprints();
    const readme = files.find((f) => f.name === 'README.md')?.content ?? '';
    const file = JSON.parse(files.find((f) => f.name === BOOKINGS_STRUCTURE_FILE)?.content ?? '{}');
    expect(file).toEqual({ ...BOOKINGS_STRUCTURE, teamId: PASTE_TEAM_ID });
    for (const field of BOOKINGS_STRUCTURE.spec) expect(readme).toContain(`\`${field.name}\``);
    expect(BOOKINGS_STRUCTURE.strict).toBe(true);
    expect(BOOKINGS_STRUCTURE.spec.map((f) => [f.name, f.type])).toEqual(
      expect.arrayContaining([
        ['meeting_id', 'text'],
        ['join_url', 'text'],
        ['status', 'text'],
        ['updated_at', 'date'],
        ['expires_at', 'number'],
      ]),
    );
    // A host secret that Zoom expires in hours has no business in a store.
    expect(BOOKINGS_STRUCTURE.spec.map((f) => f.name)).not.toContain('start_url');
    expect(BOOKINGS_STRUCTURE.spec.map((f) => f.name)).not.toContain('password');
  });

  it('prints the operations of each path, measured, in the checklist', async () => {
    const readme = await fileOf('README.md');
    expect(readme).toMatch(/\| Forged, unsigned or stale delivery \(401\) \| 2 \| ≤ 2 \|/);
    expect(readme).toMatch(/\| New booking: meeting created \| [1-8] \| ≤ 8 \|/);
    expect(readme).toMatch(/\| Last invitee cancels: meeting deleted \| [1-8] \| ≤ 8 \|/);
  });

  it('puts the Zoom host into the create request', async () => {
    const text = JSON.stringify(await blueprintOf({ zoomHost: 'host@example.com' }));
    expect(text).toContain('https://api.zoom.us/v2/users/host@example.com/meetings');
  });

  it('fills the topic template into the meeting body', async () => {
    const text = JSON.stringify(await blueprintOf({ topicTemplate: 'Intro: {invitee}' }));
    expect(text).toMatch(/substring\(\\"Intro: \\" \+ replace\(\d+\.payload\.name; /);
  });

  it('writes the tolerance into the signature filters', async () => {
    const text = JSON.stringify(await blueprintOf({ signatureToleranceSeconds: 180 }));
    expect(text).toContain('timestamp - 180');
    expect(text).not.toContain('timestamp - 86400');
  });

  it('fills in the ids, signing key and Account ID it is given, and leaves the rest to the checklist', async () => {
    const given = {
      signingKey: 'filled-in-signing-key',
      zoomAccountId: 'acct-filled',
      makeIds: { hook: 101, bookingsStore: 102, zoomKeychain: 103 },
      teamId: 104,
    };
    const text = JSON.stringify(await blueprintOf(given));
    expect(text).toContain('"hook":101');
    expect(text).toContain('"datastore":102');
    expect(text).toContain('"basicAuthKeychain":103');
    expect(text).toContain('filled-in-signing-key');
    expect(text).toContain('acct-filled');
    expect(text).not.toContain('PASTE-');
    const readme = await fileOf('README.md', given);
    expect(readme).not.toMatch(/PASTE-|pick a \*\*Basic auth\*\*|pick `calendly-zoom-bookings`/);
    expect(readme).toContain('contains the signing key: keep it private');
    expect(JSON.parse(await fileOf(BOOKINGS_STRUCTURE_FILE, given)).teamId).toBe(104);
    // The prune scenario uses the same store.
    expect(await fileOf(PRUNE_BLUEPRINT_FILE, given)).toContain('"datastore": 102');
  });

  it('in "move" mode PATCHes the old meeting instead of deleting a rescheduled one', async () => {
    const recreate = await blueprintOf({ reschedule: 'recreate' });
    const move = await blueprintOf({ reschedule: 'move' });
    const methods = (bp: MakeBlueprint): string[] =>
      allModules(bp.flow)
        .filter(
          (m) =>
            m.module === 'http:MakeRequest' &&
            String(m.mapper?.url).startsWith('https://api.zoom.us'),
        )
        .map((m) => String(m.mapper?.method));
    expect(methods(recreate)).not.toContain('patch');
    expect(methods(move)).toContain('patch');
    // Only move mode asks whether a last cancel is half of a reschedule.
    const asksRescheduled = (bp: MakeBlueprint): boolean =>
      allModules(bp.flow).some((m) => m.filter?.name === 'Rescheduled');
    expect(asksRescheduled(recreate)).toBe(false);
    expect(asksRescheduled(move)).toBe(true);
    expect(moduleNames(move).length).toBeGreaterThan(moduleNames(recreate).length);
  });

  it('can create meetings for bookings that already have a Calendly-made Zoom link', async () => {
    const skip = JSON.stringify(await blueprintOf());
    const create = JSON.stringify(await blueprintOf({ nativeZoom: 'create' }));
    expect(skip).toContain('location.join_url');
    expect(create).not.toContain('location.join_url');
  });

  it.each<[string, BlueprintOptionsInput, RegExp]>([
    ['a host with a slash', { zoomHost: 'a/b' }, /Zoom host/],
    ['an unknown placeholder', { topicTemplate: '{event} for {guest}' }, /\{guest\}/],
    ['a quote in the topic', { topicTemplate: 'The "{event}"' }, /double quotes/],
    ['a Make formula in the topic', { topicTemplate: '{{1.x}}' }, /"\{\{"/],
    ['a zero tolerance', { signatureToleranceSeconds: 0 }, /tolerance/],
    ['a fractional tolerance', { signatureToleranceSeconds: 1.5 }, /tolerance/],
    ['an unknown reschedule mode', { reschedule: 'shift' as 'move' }, /Reschedule/],
    ['a signing key with a quote', { signingKey: 'abc"defghij' }, /signing key/],
    ['a zero hook id', { makeIds: { hook: 0 } }, /hook id/],
  ])('refuses %s with a ConfigError', async (_, options, message) => {
    await expect(buildBlueprints(options)).rejects.toThrow(ConfigError);
    await expect(buildBlueprints(options)).rejects.toThrow(message);
  });

  it('writeBlueprints writes the files under a new directory and regenerates identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cz-blueprints-'));
    try {
      const out = join(dir, 'nested', 'out');
      const written = await writeBlueprints(out, { zoomHost: 'host@example.com' });
      const { files } = await buildBlueprints({ zoomHost: 'host@example.com' });
      expect(written).toEqual(files.map((f) => join(out, f.name)));
      for (const file of files)
        expect(await readFile(join(out, file.name), 'utf8')).toBe(file.content);
      await writeBlueprints(out, { zoomHost: 'host@example.com' });
      for (const file of files)
        expect(await readFile(join(out, file.name), 'utf8')).toBe(file.content);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
