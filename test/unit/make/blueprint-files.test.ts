// The committed blueprints/ directory is exactly the generator's output with default options,
// the output is deterministic, and each option visibly changes it.

import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { MakeBlueprint, MakeModule } from '../../../src/make/blueprint-types';
import { BLUEPRINT_FILE, buildBlueprints } from '../../../src/make/build-blueprints';
import { BOOKINGS_STRUCTURE, TOKEN_STRUCTURE } from '../../../src/make/data-structures';
import type { BlueprintOptionsInput } from '../../../src/make/options';
import { writeBlueprints } from '../../../src/make/write-blueprints';
import { ConfigError } from '../../../src/errors';

const COMMITTED = join(__dirname, '../../../blueprints');
const REGENERATE = 'npm run blueprints';

function blueprintOf(options: BlueprintOptionsInput = {}): MakeBlueprint {
  const file = buildBlueprints(options).files.find((f) => f.name === BLUEPRINT_FILE);
  return JSON.parse(file?.content ?? '{}') as MakeBlueprint;
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
  const { files } = buildBlueprints();

  it.each(files.map((f) => [f.name, f.content] as const))('%s is up to date', (name, content) => {
    const path = join(COMMITTED, name);
    if (!existsSync(path)) {
      throw new Error(`blueprints/${name} is missing. Regenerate with: ${REGENERATE}`);
    }
    const committed = readFileSync(path, 'utf8');
    if (committed !== content) {
      throw new Error(
        `blueprints/${name} is stale: the generator's output differs. Regenerate with: ${REGENERATE}`,
      );
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
    expect(present.sort()).toEqual(files.map((f) => f.name).sort());
  });
});

describe('the generator', () => {
  it('is deterministic: the same options give byte-identical files', () => {
    expect(buildBlueprints({ reschedule: 'move' })).toEqual(
      buildBlueprints({ reschedule: 'move' }),
    );
    expect(buildBlueprints()).toEqual(buildBlueprints({}));
  });

  it('writes 2-space JSON with a trailing newline', () => {
    for (const file of buildBlueprints().files.filter((f) => f.name.endsWith('.json'))) {
      expect(file.content).toBe(`${JSON.stringify(JSON.parse(file.content), null, 2)}\n`);
    }
  });

  it('ships both data structures, and the checklist names every field', () => {
    const { files } = buildBlueprints();
    const readme = files.find((f) => f.name === 'README.md')?.content ?? '';
    for (const structure of [BOOKINGS_STRUCTURE, TOKEN_STRUCTURE]) {
      const file = files.find((f) => f.name === `data-structures/${structure.name}.json`);
      expect(JSON.parse(file?.content ?? 'null')).toEqual(structure);
      for (const field of structure.spec) expect(readme).toContain(`\`${field.name}\``);
    }
    expect(BOOKINGS_STRUCTURE.spec.map((f) => [f.name, f.type])).toEqual(
      expect.arrayContaining([
        ['event_uuid', 'text'],
        ['meeting_id', 'text'],
        ['join_url', 'text'],
        ['start_url', 'text'],
        ['status', 'text'],
        ['updated_at', 'date'],
      ]),
    );
  });

  it('puts the Zoom host into the Settings module', () => {
    const settings = blueprintOf({ zoomHost: 'host@example.com' }).flow[1];
    expect(settings?.mapper?.variables).toContainEqual({
      name: 'zoom_host',
      value: 'host@example.com',
    });
  });

  it('fills the topic template in the booking facts', () => {
    const facts = blueprintOf({ topicTemplate: 'Intro: {invitee}' }).flow[3]?.routes?.[1]?.flow[1];
    const variables = (facts?.mapper?.variables ?? []) as Array<{ name: string; value: string }>;
    expect(variables.find((v) => v.name === 'topic')?.value).toMatch(
      /^Intro: \{\{replace\(\d+\.payload\.name; [^}]*\)\}\}$/,
    );
  });

  it('writes the tolerance into the signature filters', () => {
    const text = JSON.stringify(blueprintOf({ signatureToleranceSeconds: 180 }));
    expect(text).toContain('timestamp - 180');
    expect(text).not.toContain('timestamp - 300');
  });

  it('in "move" mode PATCHes the old meeting instead of deleting a rescheduled one', () => {
    const recreate = blueprintOf({ reschedule: 'recreate' });
    const move = blueprintOf({ reschedule: 'move' });
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
    const deletes = (bp: MakeBlueprint): string[] =>
      allModules(bp.flow)
        .filter((m) => m.filter?.name.includes('delete') === true)
        .flatMap((m) => m.filter?.conditions.flat().map((c) => `${c.o} ${c.b ?? ''}`) ?? []);
    // Recreate deletes any last cancel; move deletes only cancels that are not reschedules.
    expect(deletes(recreate)).not.toContain('boolean:equal false');
    expect(deletes(move)).toContain('boolean:equal false');
    expect(moduleNames(move).length).toBeGreaterThan(moduleNames(recreate).length);
  });

  it('can create meetings for bookings that already have a Calendly-made Zoom link', () => {
    const skip = JSON.stringify(blueprintOf());
    const create = JSON.stringify(blueprintOf({ nativeZoom: 'create' }));
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
  ])('refuses %s with a ConfigError', (_, options, message) => {
    expect(() => buildBlueprints(options)).toThrow(ConfigError);
    expect(() => buildBlueprints(options)).toThrow(message);
  });

  it('writeBlueprints writes the files under a new directory and regenerates identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cz-blueprints-'));
    try {
      const out = join(dir, 'nested', 'out');
      const written = await writeBlueprints(out, { zoomHost: 'host@example.com' });
      const { files } = buildBlueprints({ zoomHost: 'host@example.com' });
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
