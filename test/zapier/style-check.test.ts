import { checkStyle, RULES } from '../../scripts/check-zapier-style';
import { App, createAppHandler } from './zapier-test-kit';

type Definition = Record<string, Record<string, Record<string, unknown>>> & {
  authentication: { fields: Record<string, unknown>[] };
};

/** The definition Zapier reads (the `definition` command the build check also runs). */
async function definition(): Promise<Definition> {
  const { results } = await createAppHandler(App)({ command: 'definition' });
  return JSON.parse(JSON.stringify(results)) as Definition;
}

type Step = { display: Record<string, unknown>; operation: Record<string, unknown> };
const step = (app: Definition, kind: string, key: string): Step =>
  app[kind]?.[key] as unknown as Step;
const inputs = (s: Step) => s.operation.inputFields as Record<string, unknown>[];

describe('the offline style check', () => {
  it("passes the app's own definition", async () => {
    expect(checkStyle(await definition())).toEqual([]);
  });

  const breakages: [string, (app: Definition) => void][] = [
    [
      'D021',
      (app) =>
        (step(app, 'triggers', 'invitee_created').display.description = 'Fires on bookings.'),
    ],
    [
      'D021',
      (app) =>
        (step(app, 'triggers', 'invitee_created').display.description =
          'Triggers when someone books'),
    ],
    [
      'DESC-SEARCH',
      (app) => (step(app, 'searches', 'find_user').display.description = 'Looks up a user.'),
    ],
    [
      'DESC-CREATE',
      (app) => (step(app, 'creates', 'update_meeting').display.description = 'Meeting update.'),
    ],
    [
      'DESC-DELETE',
      (app) => (step(app, 'creates', 'delete_meeting').display.description = 'Deletes it.'),
    ],
    ['LABEL', (app) => (step(app, 'creates', 'create_meeting').display.label = 'create meeting')],
    ['LABEL', (app) => delete inputs(step(app, 'creates', 'create_meeting'))[0]?.label],
    ['HELP', (app) => delete inputs(step(app, 'creates', 'update_meeting'))[4]?.helpText],
    ['HELP', (app) => delete app.authentication.fields[0]?.helpText],
    ['D002', (app) => ((app.authentication.fields[1] ?? {}).helpText = 'From your Zoom app.')],
    ['D004', (app) => delete inputs(step(app, 'creates', 'delete_meeting'))[1]?.dynamic],
    [
      'DYNAMIC',
      (app) => ((inputs(step(app, 'creates', 'delete_meeting'))[1] ?? {}).dynamic = 'nope.id.name'),
    ],
    [
      'DYNAMIC',
      (app) =>
        ((inputs(step(app, 'creates', 'delete_meeting'))[1] ?? {}).dynamic =
          'zoom_meeting_list.id.title'),
    ],
    ['SAMPLE', (app) => delete step(app, 'searches', 'find_user').operation.sample],
    ['OUTPUT', (app) => (step(app, 'creates', 'delete_meeting').operation.outputFields = [])],
  ];

  it.each(breakages)('catches a definition that breaks %s', async (id, breakIt) => {
    const app = await definition();
    breakIt(app);

    expect(checkStyle(app).map((problem) => problem.split(' ')[0])).toContain(id);
  });

  it('has a test that breaks each of its rules', () => {
    expect(new Set(breakages.map(([id]) => id))).toEqual(new Set(RULES.map((rule) => rule.id)));
  });
});
