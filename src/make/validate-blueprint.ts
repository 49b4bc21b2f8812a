// A structural check of a Make blueprint, derived from real exports (test/fixtures/make/): it
// accepts every one of them, so it is no stricter than Make, and it catches the mistakes a
// generator can make: duplicate ids, formulas mapping a module that has not run yet on that path,
// unknown filter operators, malformed routers and error handlers.

import { MODULE_VERSIONS } from './modules';

export interface ValidateOptions {
  /**
   * For our own blueprint: every module must be one whose shape we verified (MODULE_VERSIONS),
   * and every module must carry a designer name.
   */
  strict?: boolean;
}

/** Built-in modules seen in real exports, with the version Make exports them at. */
const KNOWN_BUILTINS: Readonly<Record<string, number>> = {
  ...MODULE_VERSIONS,
  'util:SetVariables': 1,
  'util:FunctionSleep': 1,
  'builtin:Break': 1,
  'datastore:UpdateRecord': 1,
  'builtin:Resume': 1,
  'builtin:Commit': 1,
  'builtin:Rollback': 1,
  'builtin:BasicRepeater': 1,
  'builtin:BasicAggregator': 1,
  'builtin:BasicFeeder': 1,
  'util:SetVariable2': 1,
  'util:GetVariable2': 1,
  'util:TextAggregator': 1,
  'http:ActionSendData': 3,
  'http:ActionSendDataAPIKeyAuth': 3,
  'http:ActionSendDataBasicAuth': 3,
  'http:ActionGetFile': 3,
  'json:CreateJSON': 1,
  'json:TransformToJSON': 1,
  'datastore:CountRecord': 1,
};
// Apps whose modules are Make's own: an unknown module there is a typo, not a third-party app.
const BUILTIN_APPS = new Set(['builtin', 'gateway', 'util', 'json', 'http', 'datastore']);

/** Error handler directives: they end an `onerror` route and appear nowhere else. */
const DIRECTIVES = new Set([
  'builtin:Break',
  'builtin:Resume',
  'builtin:Ignore',
  'builtin:Commit',
  'builtin:Rollback',
]);

const ROUTER = 'builtin:BasicRouter';

const BINARY_OPERATORS = new Set(
  [
    ...['equal', 'notequal', 'contain', 'notcontain', 'startwith', 'notstartwith'].flatMap((o) => [
      `text:${o}`,
      `text:${o}:ci`,
    ]),
    ...['endwith', 'notendwith', 'pattern', 'notpattern'].flatMap((o) => [
      `text:${o}`,
      `text:${o}:ci`,
    ]),
    ...['equal', 'notequal', 'greater', 'less', 'greaterorequal', 'lessorequal'].flatMap((o) => [
      `number:${o}`,
      `date:${o}`,
    ]),
    'boolean:equal',
    'boolean:notequal',
    'array:contain',
    'array:notcontain',
    'array:contain:ci',
    'array:notcontain:ci',
  ].flat(),
);
const UNARY_OPERATORS = new Set(['exist', 'notexist']);

/** Returns every problem found (empty when the blueprint is well formed). */
export function validateBlueprint(blueprint: unknown, options: ValidateOptions = {}): string[] {
  const problems: string[] = [];
  if (!isRecord(blueprint)) return ['The blueprint is not a JSON object.'];
  if (typeof blueprint.name !== 'string' || blueprint.name === '') {
    problems.push('"name" must be a non-empty string.');
  }
  checkMetadata(blueprint.metadata, problems);
  if (!Array.isArray(blueprint.flow) || blueprint.flow.length === 0) {
    problems.push('"flow" must be a non-empty array of modules.');
    return problems;
  }
  const walker = new Walker(problems, options.strict === true);
  walker.flow(blueprint.flow, 'flow', [], 'main');
  return problems;
}

function checkMetadata(metadata: unknown, problems: string[]): void {
  if (!isRecord(metadata)) {
    problems.push('"metadata" must be an object.');
    return;
  }
  if (typeof metadata.version !== 'number') problems.push('"metadata.version" must be a number.');
  if (!isRecord(metadata.scenario)) problems.push('"metadata.scenario" must be an object.');
  if (!isRecord(metadata.designer)) problems.push('"metadata.designer" must be an object.');
}

type FlowKind = 'main' | 'route' | 'onerror';

class Walker {
  private readonly seen = new Set<number>();

  constructor(
    private readonly problems: string[],
    private readonly strict: boolean,
  ) {}

  /** `before`: ids of the modules that have run before this flow, on this path. */
  flow(flow: unknown[], where: string, before: readonly number[], kind: FlowKind): void {
    const path = [...before];
    flow.forEach((item, index) => {
      const at = `${where}[${index}]`;
      if (!isRecord(item)) {
        this.problems.push(`${at}: a module must be an object.`);
        return;
      }
      const id = this.module(item, at, path, { kind, index, last: index === flow.length - 1 });
      if (id !== undefined) path.push(id);
    });
  }

  private module(
    m: Record<string, unknown>,
    at: string,
    before: readonly number[],
    place: { kind: FlowKind; index: number; last: boolean },
  ): number | undefined {
    const id = m.id;
    const validId = typeof id === 'number' && Number.isInteger(id) && id > 0;
    if (!validId) this.problems.push(`${at}: "id" must be a positive integer.`);
    else if (this.seen.has(id)) this.problems.push(`${at}: id ${id} is used twice.`);
    else this.seen.add(id);
    const label = validId ? `${at} (id ${id})` : at;

    const name = typeof m.module === 'string' ? m.module : '';
    this.moduleName(m, name, label);
    this.designer(m.metadata, label);

    const isDirective = DIRECTIVES.has(name);
    if (isDirective && place.kind !== 'onerror') {
      this.problems.push(
        `${label}: ${name} is an error handler directive, outside an error handler.`,
      );
    }
    // A directive ends its handler route; a route without one ignores the error ("Overview of
    // error handling in Make": if no module in the route errors, Make ignores the error).
    if (isDirective && place.kind === 'onerror' && !place.last) {
      this.problems.push(
        `${label}: a directive must be the last module of its error handler route.`,
      );
    }
    if (name === 'builtin:Break') this.breakSettings(m.mapper, label);

    if (m.filter !== undefined && m.filter !== null) {
      if (place.kind === 'main' && place.index === 0) {
        this.problems.push(`${label}: the first module of a scenario cannot have a filter.`);
      }
      this.filter(m.filter, label, before);
    }
    // The module's own fields may map anything that ran before it, never itself or later modules.
    this.references({ parameters: m.parameters, mapper: m.mapper }, label, before);

    this.routes(m, name, label, before, validId ? id : undefined, place.last);
    if (m.onerror !== undefined) {
      if (!Array.isArray(m.onerror) || m.onerror.length === 0) {
        this.problems.push(`${label}: "onerror" must be a non-empty array of modules.`);
      } else {
        // The handler route sees the failed module too: its `error` ({{N.error.message}}).
        this.flow(m.onerror, `${label}.onerror`, validId ? [...before, id] : before, 'onerror');
      }
    }
    return validId ? id : undefined;
  }

  private moduleName(m: Record<string, unknown>, name: string, label: string): void {
    // `app:module`, or `app#custom-app-id:module` for custom apps.
    if (!/^[\w-]+(#[\w-]+)?:\w+$/.test(name)) {
      this.problems.push(
        `${label}: "module" must look like "app:module"; got ${JSON.stringify(m.module)}.`,
      );
      return;
    }
    const version = m.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      this.problems.push(`${label}: "version" must be a positive integer.`);
      return;
    }
    const known = KNOWN_BUILTINS[name];
    const app = name.split(':')[0] ?? '';
    if (known === undefined) {
      if (this.strict || BUILTIN_APPS.has(app)) {
        this.problems.push(`${label}: unknown module ${name}.`);
      }
    } else if (known !== version) {
      this.problems.push(`${label}: ${name} is version ${known} in Make exports, not ${version}.`);
    }
    if (this.strict && MODULE_VERSIONS[name as keyof typeof MODULE_VERSIONS] === undefined) {
      this.problems.push(`${label}: ${name} is not one of the modules this project verified.`);
    }
  }

  private designer(metadata: unknown, label: string): void {
    if (!isRecord(metadata) || !isRecord(metadata.designer)) {
      this.problems.push(`${label}: "metadata.designer" is missing.`);
      return;
    }
    const { x, y, name } = metadata.designer;
    if (typeof x !== 'number' || typeof y !== 'number') {
      this.problems.push(`${label}: "metadata.designer" needs numeric x and y.`);
    }
    if (this.strict && (typeof name !== 'string' || name.trim() === '')) {
      this.problems.push(`${label}: "metadata.designer.name" is missing.`);
    }
  }

  private breakSettings(mapper: unknown, label: string): void {
    if (!isRecord(mapper) || mapper.retry !== true) return;
    for (const field of ['count', 'interval'] as const) {
      const value = Number(mapper[field]);
      if (!Number.isInteger(value) || value < 1) {
        this.problems.push(`${label}: a retrying Break needs a positive whole "${field}".`);
      }
    }
  }

  private routes(
    m: Record<string, unknown>,
    name: string,
    label: string,
    before: readonly number[],
    id: number | undefined,
    last: boolean,
  ): void {
    if (name !== ROUTER) {
      if (m.routes !== undefined) this.problems.push(`${label}: only a router has "routes".`);
      return;
    }
    if (!last) this.problems.push(`${label}: a router must be the last module of its flow.`);
    if (!Array.isArray(m.routes) || m.routes.length === 0) {
      this.problems.push(`${label}: a router needs at least one route.`);
      return;
    }
    // Each route sees what ran before the router (and the router), not the other routes.
    const routeBefore = id === undefined ? before : [...before, id];
    m.routes.forEach((route, index) => {
      const where = `${label}.routes[${index}]`;
      if (!isRecord(route) || !Array.isArray(route.flow) || route.flow.length === 0) {
        this.problems.push(
          `${where}: a route must be {"flow": [modules…]} with at least one module.`,
        );
        return;
      }
      this.flow(route.flow, `${where}.flow`, routeBefore, 'route');
    });
  }

  private filter(filter: unknown, label: string, before: readonly number[]): void {
    if (!isRecord(filter) || typeof filter.name !== 'string' || !Array.isArray(filter.conditions)) {
      this.problems.push(
        `${label}: a filter needs a "name" and "conditions" (an array of arrays).`,
      );
      return;
    }
    if (filter.conditions.length === 0)
      this.problems.push(`${label}: the filter has no conditions.`);
    for (const group of filter.conditions) {
      if (!Array.isArray(group) || group.length === 0) {
        this.problems.push(`${label}: each filter condition group must be a non-empty array.`);
        continue;
      }
      for (const condition of group) this.condition(condition, label, before);
    }
  }

  private condition(condition: unknown, label: string, before: readonly number[]): void {
    if (
      !isRecord(condition) ||
      typeof condition.a !== 'string' ||
      typeof condition.o !== 'string'
    ) {
      this.problems.push(`${label}: a filter condition needs "a" and "o".`);
      return;
    }
    const operator = condition.o;
    if (UNARY_OPERATORS.has(operator)) {
      // `b` is meaningless here; Make exports sometimes keep an empty one.
    } else if (BINARY_OPERATORS.has(operator)) {
      if (typeof condition.b !== 'string') {
        this.problems.push(`${label}: operator ${operator} needs a text "b".`);
      }
    } else {
      this.problems.push(`${label}: unknown filter operator ${JSON.stringify(operator)}.`);
    }
    this.references({ a: condition.a, b: condition.b }, `${label} filter`, before);
  }

  private references(value: unknown, label: string, before: readonly number[]): void {
    for (const id of moduleReferences(value)) {
      if (!before.includes(id)) {
        this.problems.push(
          `${label}: maps {{${id}.…}}, but module ${id} does not run before it on this path.`,
        );
      }
    }
  }
}

/** Module ids referenced as `{{N.field}}` anywhere inside a value (strings, arrays, objects). */
export function moduleReferences(value: unknown): number[] {
  const ids = new Set<number>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const formula of v.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
        // String and regex literals are data, not references: `"api.v2"` maps nothing.
        const code = (formula[1] ?? '')
          .replace(/"[^"]*"/g, '""')
          .replace(/(?<=[;(]\s*)\/(?:\\.|[^/\\])+\/[a-z]*/g, '//');
        for (const ref of code.matchAll(/(?<![\w.])(\d+)\.(?=[A-Za-z_`])/g))
          ids.add(Number(ref[1]));
      }
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (isRecord(v)) {
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return [...ids].sort((a, b) => a - b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
