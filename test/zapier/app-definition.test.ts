import { version as coreVersion } from 'zapier-platform-core';
import { App, createAppHandler } from './zapier-test-kit';

interface Field {
  key: string;
  label?: string;
}
interface Operation {
  type?: string;
  inputFields?: Field[];
  outputFields?: Field[];
  sample?: Record<string, unknown>;
}
interface Step {
  key: string;
  noun: string;
  display: { label?: string; description?: string; hidden?: boolean };
  operation: Operation;
}

const steps = (group: Record<string, unknown>): Step[] => Object.values(group) as Step[];
const visible = [...steps(App.triggers), ...steps(App.creates), ...steps(App.searches)].filter(
  (step) => !step.display.hidden,
);

describe('the app definition', () => {
  it("passes Zapier's own schema validation offline", async () => {
    const { results } = await createAppHandler(App)({ command: 'validate' });

    expect(results).toEqual([]);
  });

  it('has the keys other parts of the project rely on', () => {
    expect(App.triggers.invitee_created.operation.type).toBe('hook');
    expect(App.triggers.invitee_canceled.operation.type).toBe('hook');
    expect(Object.keys(App.creates).sort()).toEqual([
      'cancel_meeting',
      'create_meeting',
      'delete_meeting',
      'sync_booking',
      'update_meeting',
    ]);
    expect(Object.keys(App.searches).sort()).toEqual(['find_meeting', 'find_user']);
    expect(App.searchOrCreates?.find_meeting).toMatchObject({
      search: 'find_meeting',
      create: 'create_meeting',
    });
  });

  it.each(visible.map((step) => [step.key, step] as const))(
    '%s says what it does and labels every field it takes and returns',
    (_key, step) => {
      expect(step.display.label).toBeTruthy();
      expect((step.display.description ?? '').length).toBeGreaterThan(40);
      for (const field of [
        ...(step.operation.inputFields ?? []),
        ...(step.operation.outputFields ?? []),
      ]) {
        expect(field.label).toBeTruthy();
      }
      // Every sample value is described by an output field.
      const described = new Set((step.operation.outputFields ?? []).map((field) => field.key));
      expect(Object.keys(step.operation.sample ?? {}).filter((key) => !described.has(key))).toEqual(
        [],
      );
    },
  );

  it('gives every perform its own function (Zapier finds an operation by its function)', () => {
    const functions: unknown[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'function') functions.push(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk({
      triggers: App.triggers,
      creates: App.creates,
      searches: App.searches,
      authentication: App.authentication,
    });

    expect(new Set(functions).size).toBe(functions.length);
  });

  it('loads as CommonJS with the version from package.json', async () => {
    const { results } = await createAppHandler(App)({ command: 'definition' });

    expect(results).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      platformVersion: coreVersion,
    });
  });
});
