// The vocabulary of payload fields. Every event kind is a list of typed fields; the type fixes
// both the JavaScript value a materialized event carries and the bytes it is encoded as
// (traces/FORMAT.md, "Payload field encodings"). Kinds are data, so a trace file can carry
// its own schema and an old file stays readable after new kinds are added.

/** Field type names as they appear in the registry and in a trace header's schema. */
export type ScalarType = 'u8' | 'u16' | 'u32' | 'varint' | 'u64' | 'i64' | 'bytes' | 'string' | 'u64[]';
export type FieldTypeName = ScalarType | 'enum';

export const FIELD_TYPES: readonly FieldTypeName[] = Object.freeze([
  'u8', 'u16', 'u32', 'varint', 'u64', 'i64', 'bytes', 'string', 'u64[]', 'enum',
]);

/** How `formatEvent` shows a value; purely cosmetic, never part of the encoding. */
export type FieldFormat = 'dec' | 'hex' | 'text';

interface FieldBase<N extends string> {
  readonly name: N;
  /** One line for FORMAT.md readers and `inspect`. */
  readonly doc?: string;
  readonly format?: FieldFormat;
}

export interface ScalarField<N extends string = string, T extends ScalarType = ScalarType> extends FieldBase<N> {
  readonly type: T;
  /** For `u64[]` and `bytes`: the largest accepted length (checked on append). */
  readonly max?: number;
}

export interface EnumField<N extends string = string, V extends string = string> extends FieldBase<N> {
  readonly type: 'enum';
  /** Encoded as the index into this list, so values may only ever be appended. */
  readonly values: readonly V[];
}

export type FieldSpec = ScalarField | EnumField;

export interface KindSpec {
  /** Stable forever: it is what the file stores. 1..65535; 0 is never a kind. */
  readonly id: number;
  /** Stable, lower-case, used by `inspect --kind` and in JSON. */
  readonly name: string;
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
}

/** Any value a payload field can hold once materialized. */
export type FieldValue = number | bigint | string | readonly number[] | readonly bigint[];

/** A materialized payload whose kind is only known at run time (e.g. read from a file). */
export type Payload = { readonly [field: string]: FieldValue };

/** The JavaScript type a field of type T holds. */
export type ValueOf<F> = F extends EnumField<string, infer V>
  ? V
  : F extends ScalarField<string, infer T>
    ? T extends 'u8' | 'u16' | 'u32' | 'varint'
      ? number
      : T extends 'u64' | 'i64'
        ? bigint
        : T extends 'bytes'
          ? readonly number[]
          : T extends 'string'
            ? string
            : T extends 'u64[]'
              ? readonly bigint[]
              : never
    : never;

/** The payload object type of a kind spec, derived from its field list. */
export type PayloadOfSpec<K extends KindSpec> = {
  readonly [F in K['fields'][number] as F['name']]: ValueOf<F>;
};

/** What appenders accept for a field: bytes may come as a Uint8Array, u64 as a safe number. */
export type InputOf<F> = F extends ScalarField<string, infer T>
  ? T extends 'bytes'
    ? Uint8Array | readonly number[]
    : T extends 'u64'
      ? bigint | number
      : T extends 'u64[]'
        ? readonly (bigint | number)[]
        : ValueOf<F>
  : ValueOf<F>;

export type PayloadInputOfSpec<K extends KindSpec> = {
  readonly [F in K['fields'][number] as F['name']]: InputOf<F>;
};
