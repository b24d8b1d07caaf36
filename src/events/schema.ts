// A validated, indexed set of kind specs. The log encodes with one; a trace file stores the
// one it was written with (as JSON in its header) and is decoded with that, not with
// whatever this build's table says, so files written before a kind was added still read.

import { FIELD_TYPES, type FieldSpec, type KindSpec } from './field-types.ts';
import { KINDS } from './kinds.ts';

const NAME_RE = /^[a-z][a-zA-Z0-9_-]*$/;
export const MAX_KIND_ID = 0xffff;

export class SchemaError extends Error {
  override name = 'SchemaError';
}

export class Schema {
  readonly kinds: readonly KindSpec[];
  private readonly byId: (KindSpec | undefined)[] = [];
  private readonly byName = new Map<string, KindSpec>();

  constructor(kinds: readonly KindSpec[]) {
    const sorted = [...kinds].sort((a, b) => a.id - b.id);
    for (const k of sorted) {
      checkKind(k);
      if (this.byId[k.id]) throw new SchemaError(`kind id ${k.id} is used by both "${this.byId[k.id]!.name}" and "${k.name}"`);
      if (this.byName.has(k.name)) throw new SchemaError(`kind name "${k.name}" is defined twice`);
      this.byId[k.id] = k;
      this.byName.set(k.name, k);
    }
    this.kinds = deepFreeze(sorted.map(cloneKind));
  }

  kindById(id: number): KindSpec | undefined {
    return this.byId[id];
  }

  kindByName(name: string): KindSpec | undefined {
    return this.byName.get(name);
  }

  /** The kind called `name`, or an error listing the kinds that exist. */
  require(name: string): KindSpec {
    const k = this.byName.get(name);
    if (!k) throw new SchemaError(`unknown event kind "${name}"; known kinds: ${[...this.byName.keys()].join(', ')}`);
    return k;
  }

  /** The form stored in a trace header: plain data, ids ascending. */
  toJSON(): KindSpec[] {
    return this.kinds.map(cloneKind);
  }

  static fromJSON(data: unknown): Schema {
    if (!Array.isArray(data)) throw new SchemaError('schema must be an array of kind specs');
    return new Schema(data as KindSpec[]);
  }

  /**
   * Whether events encoded with `other` decode identically with this schema: every kind of
   * `other` exists here with the same id, name and field list, apart from enum values this
   * schema has appended.
   */
  canDecode(other: Schema): boolean {
    return other.kinds.every((k) => {
      const mine = this.byId[k.id];
      return !!mine && mine.name === k.name && fieldsCompatible(mine.fields, k.fields);
    });
  }
}

function fieldsCompatible(mine: readonly FieldSpec[], theirs: readonly FieldSpec[]): boolean {
  if (mine.length !== theirs.length) return false;
  return mine.every((f, i) => {
    const t = theirs[i];
    if (f.name !== t.name || f.type !== t.type) return false;
    if (f.type === 'enum' && t.type === 'enum') return t.values.every((v, j) => f.values[j] === v);
    return true;
  });
}

function checkKind(k: KindSpec): void {
  const where = `kind ${JSON.stringify(k?.name)} (id ${k?.id})`;
  if (!k || typeof k !== 'object') throw new SchemaError('kind spec must be an object');
  if (!Number.isInteger(k.id) || k.id < 1 || k.id > MAX_KIND_ID) throw new SchemaError(`${where}: id must be an integer in 1..${MAX_KIND_ID}`);
  if (typeof k.name !== 'string' || !NAME_RE.test(k.name)) throw new SchemaError(`${where}: name must match ${NAME_RE}`);
  if (!Array.isArray(k.fields)) throw new SchemaError(`${where}: fields must be an array`);
  const seen = new Set<string>();
  for (const f of k.fields as FieldSpec[]) {
    if (typeof f?.name !== 'string' || !NAME_RE.test(f.name)) throw new SchemaError(`${where}: bad field name ${JSON.stringify(f?.name)}`);
    if (seen.has(f.name)) throw new SchemaError(`${where}: field "${f.name}" appears twice`);
    seen.add(f.name);
    if (!FIELD_TYPES.includes(f.type)) throw new SchemaError(`${where}: field "${f.name}" has unknown type ${JSON.stringify(f.type)}`);
    if (f.type === 'enum') {
      const vals = f.values;
      if (!Array.isArray(vals) || vals.length === 0 || vals.length > 256 || !vals.every((v) => typeof v === 'string') || new Set(vals).size !== vals.length) {
        throw new SchemaError(`${where}: enum field "${f.name}" needs 1..256 distinct string values`);
      }
    } else if (f.max !== undefined && (!Number.isSafeInteger(f.max) || f.max < 0)) {
      throw new SchemaError(`${where}: field "${f.name}" has a bad max`);
    }
  }
}

/** Copies only the fields the format defines, so a header never carries stray properties. */
function cloneKind(k: KindSpec): KindSpec {
  return {
    id: k.id,
    name: k.name,
    doc: typeof k.doc === 'string' ? k.doc : '',
    fields: k.fields.map((f): FieldSpec => {
      const base = { name: f.name, ...(f.doc !== undefined ? { doc: f.doc } : {}), ...(f.format !== undefined ? { format: f.format } : {}) };
      return f.type === 'enum' ? { ...base, type: 'enum', values: [...f.values] } : { ...base, type: f.type, ...(f.max !== undefined ? { max: f.max } : {}) };
    }),
  };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The schema of this build's kind table. */
export const defaultSchema = new Schema(KINDS);
