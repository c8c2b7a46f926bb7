/**
 * The shapes of a declarative mapping file (`mappings/*.json`; format and a full example in
 * `docs/mappings.md`): detection, CSV options, tables, instrument templates, skip rules, and the
 * loaded form. Validation and loading are in `mapping.ts`.
 *
 * @module
 */
import type { AbiEvent } from 'viem';
import type { InstrumentKind } from '../model/types.js';
import type { ConvertStep } from './convert.js';

/**
 * One detection condition over a parsed JSON payload. `path` is dot-separated; numeric
 * segments index arrays (`symbols.0.filters`, `0.request.method`); `*` is the first element;
 * `?` is any element (`symbols.?.contractType`: some symbol has one); an empty path is the root.
 */
export type DetectCondition =
  | {
      path: string;
      /** JSON type the value must have. */
      type?: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
      /** Value must equal this (strict, scalars only). */
      equals?: string | number | boolean | null;
      /** `true`: the path must NOT exist. */
      absent?: boolean;
    }
  | { anyOf: DetectCondition[] };

/** How a payload is recognised. JSON mappings use `json`; CSV mappings use `csvHeader` (and optionally `firstLine`). */
export interface DetectSpec {
  /** All conditions must hold on the parsed JSON payload. */
  json?: DetectCondition[];
  /** Every listed column must be present in the CSV header line (after `csv.skipLines`). */
  csvHeader?: string[];
  /** Regular expression the first line of the file must match (after a BOM is removed). */
  firstLine?: string;
}

/** CSV reader options (csv-parse). */
export interface CsvOptions {
  /** Field delimiter, default `,`. */
  delimiter?: string;
  /** Lines before the header line (preamble), default 0. */
  skipLines?: number;
  /** Quote character, default `"`. */
  quote?: string;
  /** Lines after the header row that are not data (e.g. a units or description row), default 0. */
  skipAfterHeader?: number;
}

/** A named lookup table: inline, or read from a JSON file relative to the mapping's folder. */
export type TableSpec = Record<string, string | number | boolean> | { file: string; path?: string; optional?: boolean };

/** Extraction + conversion of one instrument field. A bare string is a JSONata expression over the record. */
export type FieldSpec = string | { const: string | number | boolean } | { ref: string } | { expr: string; convert?: ConvertStep | ConvertStep[] };

/** One instrument a record may yield. */
export interface InstrumentTemplate {
  /** Name of this instrument within the record; other templates reference its id with `{ "ref": "<as>" }`. */
  as: string;
  kind: InstrumentKind;
  /** JSONata boolean: the record yields this instrument only when true (default: always). */
  when?: string;
  /**
   * A dependency shared by many records (a currency of a CEX pair, a token of a pool):
   * de-duplicated silently. Non-shared instruments are a record's own; a second record
   * yielding the same one is rejected as `DuplicateRecord`.
   */
  shared?: boolean;
  /**
   * The instrument is a stand-in (e.g. a token known only by address): if the target
   * already holds an instrument with its id, it is referenced but not registered again.
   */
  placeholder?: boolean;
  fields: Record<string, FieldSpec>;
}

/** A record-level skip rule: records for which `when` is true are skipped (counted under `code`, not rejected). */
export interface SkipRule {
  when: string;
  code: string;
  reason?: string;
}

/** A mapping file (see `docs/mappings.md`). */
export interface Mapping {
  /** Unique name, e.g. `binance-spot-exchangeinfo`. */
  name: string;
  /** Cited source API, e.g. "Binance GET /api/v3/exchangeInfo". */
  source: string;
  description?: string;
  /** Name of a mapping whose settings this one inherits (shallow merge, this file wins). */
  extends?: string;
  /** Load order in `loadDirectory` (lower first, default 50): token lists before the logs referencing them. */
  priority?: number;
  format: 'json' | 'csv';
  csv?: CsvOptions;
  detect: DetectSpec;
  /** When set, a detected payload is recognised but deliberately not loaded; the text says why. */
  ignore?: string;
  /** JSONata expression selecting the records (default `$`: the payload itself is the record array). */
  records?: string;
  /** The selected value is an object whose entries are records: each becomes `{ "key": k, "value": v }`. */
  entries?: boolean;
  /** Values treated as absent (default `[""]`). */
  missing?: string[];
  /** EVM event signatures (`event PoolCreated(address indexed token0, …)`): records are logs, decoded with viem; other logs are skipped. */
  events?: string[];
  tables?: Record<string, TableSpec>;
  /** Named intermediate values (`$name` in later expressions), evaluated in order per record. */
  let?: Record<string, string>;
  /** JSONata expression naming a record in reports (default: the record number). */
  key?: string;
  skip?: SkipRule[];
  /**
   * Fields a template may produce although the instrument's kind does not store them (e.g. a
   * payload's `currency` on a token): their values are dropped and counted per field in the load
   * summary and the metrics. A produced field the kind does not store and that is not listed here
   * rejects the record (`UnstoredField`).
   */
  ignoreFields?: string[];
  instruments: InstrumentTemplate[];
}

/** A validated mapping plus what the loader resolved (tables, decoded event ABIs, origin file). */
export interface LoadedMapping extends Mapping {
  /** File the mapping was read from (absent for mappings built in code). */
  file?: string;
  /** Read from a user folder (`INSTREG_MAPPINGS_DIR`, `--mappings DIR`), not the shipped `mappings/`. */
  user?: boolean;
  /** File of the shipped mapping of the same name this user mapping replaces. */
  replaces?: string;
  /** Tables resolved to null-prototype objects. */
  resolvedTables: Record<string, Record<string, unknown>>;
  /** Event ABIs parsed from `events`. */
  abis: AbiEvent[];
}
