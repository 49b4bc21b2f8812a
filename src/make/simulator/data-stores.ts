// Make data stores in memory ("Data stores" in Make's help): records by key, typed by the store's
// data structure (required fields, strict mode rejecting unknown fields) and capped by the size
// the user allocates (1 MB at least). How Make measures a record's size is not documented; the
// simulator counts the UTF-8 bytes of the record's JSON, which is the right order of magnitude.

import type { MakeDataStructure } from '../blueprint-types';
import { MakeModuleError } from './errors';
import { isEmpty, toBoolean, toDate, toNumber, toText, type ImlValue } from './iml/values';

export type RecordData = Record<string, ImlValue>;

export interface DataStoreDefinition {
  name: string;
  /** The data structure of the store; without one, fields are kept as given. */
  structure?: MakeDataStructure;
  /** The id a blueprint's `parameters.datastore` names it by, once picked in Make. */
  id?: number;
  /** Make's smallest store is 1 MB. */
  maxSizeBytes?: number;
}

export const ONE_MB = 1_048_576;

/** Writes of one run, kept so what was not committed can be undone (Rollback, a stopped run). */
export class Journal {
  private readonly entries: Array<{
    store: MakeDataStore;
    key: string;
    before: RecordData | undefined;
  }> = [];

  remember(store: MakeDataStore, key: string, before: RecordData | undefined): void {
    this.entries.push({ store, key, before });
  }

  undo(): void {
    for (const { store, key, before } of this.entries.reverse()) store.restore(key, before);
    this.entries.length = 0;
  }
}

export class MakeDataStore {
  private readonly data = new Map<string, RecordData>();
  private bytes = 0;
  readonly name: string;
  readonly maxSizeBytes: number;

  constructor(readonly definition: DataStoreDefinition) {
    this.name = definition.name;
    this.maxSizeBytes = definition.maxSizeBytes ?? ONE_MB;
  }

  has(key: string): boolean {
    return this.data.has(key);
  }

  get(key: string): RecordData | undefined {
    const found = this.data.get(key);
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Stores the record after typing it against the structure; DataError when it does not fit. */
  put(key: string, fields: RecordData, journal?: Journal): RecordData {
    if (key === '')
      throw new MakeModuleError('DataError', "Missing value of required parameter 'key'.");
    const typed = this.typed(fields);
    const before = this.data.get(key);
    const size = recordSize(key, typed);
    const freed = before === undefined ? 0 : recordSize(key, before);
    if (this.bytes - freed + size > this.maxSizeBytes) {
      throw new MakeModuleError(
        'DataError',
        `The data store "${this.name}" is full (${this.maxSizeBytes} bytes).`,
      );
    }
    journal?.remember(this, key, before);
    this.data.set(key, typed);
    this.bytes += size - freed;
    return structuredClone(typed);
  }

  delete(key: string, journal?: Journal): void {
    const before = this.data.get(key);
    if (before === undefined) return;
    journal?.remember(this, key, before);
    this.data.delete(key);
    this.bytes -= recordSize(key, before);
  }

  /** Rollback only: puts a record back exactly as it was, bypassing checks. */
  restore(key: string, before: RecordData | undefined): void {
    const current = this.data.get(key);
    if (current !== undefined) this.bytes -= recordSize(key, current);
    if (before === undefined) this.data.delete(key);
    else {
      this.data.set(key, before);
      this.bytes += recordSize(key, before);
    }
  }

  entries(): Array<[string, RecordData]> {
    return [...this.data.entries()].map(([key, value]) => [key, structuredClone(value)]);
  }

  sizeBytes(): number {
    return this.bytes;
  }

  private typed(fields: RecordData): RecordData {
    const structure = this.definition.structure;
    const out: RecordData = {};
    if (structure === undefined) {
      for (const [name, value] of Object.entries(fields)) if (!isEmpty(value)) out[name] = value;
      return out;
    }
    const known = new Set(structure.spec.map((f) => f.name));
    const unknown = Object.keys(fields).filter((name) => !known.has(name));
    if (structure.strict && unknown.length > 0) {
      throw new MakeModuleError(
        'DataError',
        `The data structure "${structure.name}" is strict and has no field ${unknown.join(', ')}.`,
      );
    }
    for (const field of structure.spec) {
      const value = fields[field.name];
      if (isEmpty(value)) {
        if (field.required === true) {
          throw new MakeModuleError(
            'DataError',
            `Missing value of required parameter '${field.name}'.`,
          );
        }
        continue;
      }
      out[field.name] = coerce(field.name, field.type, value);
    }
    if (!structure.strict) for (const name of unknown) out[name] = fields[name];
    return out;
  }
}

function coerce(name: string, type: string, value: ImlValue): ImlValue {
  switch (type) {
    case 'text':
      return toText(value);
    case 'number': {
      const n = toNumber(value);
      if (Number.isNaN(n)) {
        throw new MakeModuleError(
          'DataError',
          `'${toText(value)}' is not a valid number (${name}).`,
        );
      }
      return n;
    }
    case 'boolean':
      return toBoolean(value);
    case 'date': {
      const d = toDate(value);
      if (d === undefined) {
        throw new MakeModuleError('DataError', `'${toText(value)}' is not a valid date (${name}).`);
      }
      return d.toISOString();
    }
    default:
      return value;
  }
}

/** A record's size as the simulator counts it against the store's limit. */
export function recordSize(key: string, data: RecordData): number {
  return Buffer.byteLength(JSON.stringify({ key, data }), 'utf8');
}

/** The stores a scenario (or several sharing them) can use, found by id or, if only one, by default. */
export class MakeDataStores {
  private readonly stores: MakeDataStore[];

  constructor(definitions: readonly DataStoreDefinition[]) {
    this.stores = definitions.map((d) => new MakeDataStore(d));
  }

  byName(name: string): MakeDataStore | undefined {
    return this.stores.find((s) => s.name === name);
  }

  all(): readonly MakeDataStore[] {
    return this.stores;
  }

  /**
   * The store a module uses: by its `parameters.datastore` id, or the only store there is when
   * the module names none (a blueprint imported before the user picked the store).
   */
  forModule(datastoreId: unknown): MakeDataStore | undefined {
    if (datastoreId !== undefined && datastoreId !== null && datastoreId !== '') {
      return this.stores.find(
        (s) => s.definition.id !== undefined && String(s.definition.id) === String(datastoreId),
      );
    }
    return this.stores.length === 1 ? this.stores[0] : undefined;
  }
}
