import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BLUEPRINT_USAGE,
  BlueprintUsageError,
  parseBlueprintArgs,
  runBlueprintCommand,
} from '../../../src/make/blueprint-command';
import { buildBlueprints } from '../../../src/make/build-blueprints';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe('parseBlueprintArgs', () => {
  it('defaults to ./blueprints and the default options', () => {
    expect(parseBlueprintArgs([])).toEqual({
      ok: true,
      command: { help: false, outDir: 'blueprints', json: false, options: {} },
    });
  });

  it('reads every option, as "--flag value" or "--flag=value"', () => {
    const parsed = parseBlueprintArgs([
      '--out',
      'dist/make',
      '--host=host@example.com',
      '--topic',
      '{event}: {invitee}',
      '--tolerance',
      '180',
      '--reschedule=move',
      '--native-zoom',
      'create',
      '--signing-key=a-signing-key-123',
      '--zoom-account-id',
      'acct-42',
      '--hook',
      '11',
      '--bookings-store=12',
      '--zoom-keychain',
      '13',
      '--team-id',
      '14',
      '--json',
    ]);
    expect(parsed).toEqual({
      ok: true,
      command: {
        help: false,
        outDir: 'dist/make',
        json: true,
        options: {
          zoomHost: 'host@example.com',
          topicTemplate: '{event}: {invitee}',
          signatureToleranceSeconds: 180,
          reschedule: 'move',
          nativeZoom: 'create',
          signingKey: 'a-signing-key-123',
          zoomAccountId: 'acct-42',
          makeIds: { hook: 11, bookingsStore: 12, zoomKeychain: 13 },
          teamId: 14,
        },
      },
    });
  });

  it.each([
    [['--colour', 'red'], /Unknown option --colour/],
    [['extra'], /Unexpected argument "extra"/],
    [['--out'], /--out needs a value/],
    [['--host', '--json'], /--host needs a value/],
    [['--tolerance', 'soon'], /--tolerance must be a whole number/],
    [['--reschedule', 'shift'], /--reschedule must be "recreate" or "move"/],
    [['--native-zoom=maybe'], /--native-zoom must be "skip" or "create"/],
    [['--hook', 'my-hook'], /--hook must be a Make id/],
    [['--team-id', '1.5'], /--team-id must be a whole number/],
  ])('%j is a usage error', (argv, message) => {
    const parsed = parseBlueprintArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toBeInstanceOf(BlueprintUsageError);
      expect(parsed.error.message).toMatch(message);
    }
  });
});

describe('runBlueprintCommand', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cz-blueprint-cmd-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the generator output and says what to do next (exit 0)', async () => {
    const c = capture();
    const code = await runBlueprintCommand(['--out', dir, '--host', 'host@example.com'], c.io);
    expect(code).toBe(0);
    for (const file of (await buildBlueprints({ zoomHost: 'host@example.com' })).files) {
      expect(await readFile(join(dir, file.name), 'utf8')).toBe(file.content);
    }
    expect(c.stdout()).toContain('Wrote 4 files');
    expect(c.stdout()).toContain('calendly-zoom-prune.blueprint.json');
    expect(c.stdout()).toContain(join(dir, 'README.md'));
    expect(c.stderr()).toBe('');
  });

  it('prints the written files as JSON with --json', async () => {
    const c = capture();
    expect(await runBlueprintCommand(['--out', dir, '--json'], c.io)).toBe(0);
    const printed = JSON.parse(c.stdout()) as { outDir: string; files: string[] };
    expect(printed.outDir).toBe(dir);
    expect(printed.files).toContain(join(dir, 'calendly-zoom.blueprint.json'));
  });

  it('prints the usage with --help (exit 0), writing nothing', async () => {
    const c = capture();
    expect(await runBlueprintCommand(['--help', '--out', dir], c.io)).toBe(0);
    expect(c.stdout()).toBe(BLUEPRINT_USAGE);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    [['--bogus']],
    [['--topic', '{nobody}']],
    [['--host', 'not an email']],
    [['--tolerance', '0']],
    [['--signing-key', 'has "quotes" in it']],
  ])('exits 2 on %j, with the usage on stderr, writing nothing', async (argv) => {
    const c = capture();
    expect(await runBlueprintCommand([...argv, '--out', dir], c.io)).toBe(2);
    expect(c.stderr()).toContain('Usage: calendly-zoom blueprint');
    expect(c.stdout()).toBe('');
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes the signing key into the blueprint, and never prints it', async () => {
    const c = capture();
    const key = 'a-very-secret-signing-key-0042';
    expect(await runBlueprintCommand(['--out', dir, '--signing-key', key, '--json'], c.io)).toBe(0);
    expect(await readFile(join(dir, 'calendly-zoom.blueprint.json'), 'utf8')).toContain(key);
    expect(c.stdout() + c.stderr()).not.toContain(key);
  });

  it('never echoes a malformed signing key in its error', async () => {
    const c = capture();
    const key = 'not valid because of spaces';
    expect(await runBlueprintCommand(['--out', dir, '--signing-key', key], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/The signing key must be/);
    expect(c.stderr()).not.toContain(key);
  });

  it('exits 1 when the directory cannot be written', async () => {
    const c = capture();
    const blocked = join(dir, 'calendly-zoom.blueprint.json');
    // A file where a directory must go.
    await runBlueprintCommand(['--out', dir], capture().io);
    expect(await runBlueprintCommand(['--out', join(blocked, 'sub')], c.io)).toBe(1);
    expect(c.stderr()).toMatch(/Could not write the blueprints/);
  });
});
