/**
 * `test/api-errors.test.ts`: the constants of `instreg` (allowed, with what they are) and the
 * functions of `instreg/layout`. The layout's other exports (byte offsets, sizes, code tables)
 * are constants; the test checks that each is a number, string or object.
 */
import * as layout from '../../layout/index.js';
import { all, each, sweep, type Member } from './api-walk.js';

/** Non-function exports of `instreg`, with what each one is. */
export const CONSTANTS: Record<string, string> = {
  ASSET_VENUE: 'venue code of currency instruments (string)',
  CONVERSION_NAMES: 'names of the discovery conversion steps (Set)',
  CRYPTO_VENUES_FILE: 'path of the crypto venue list in the package (string)',
  DECIMAL_TEXT_MAX: 'longest decimal text parseFixed reads (number)',
  DEFAULT_FSYNC_POLICY: 'default fsync policy of DurableLog (object)',
  EXPRESSION_LIMITS: 'evaluation bounds of mapping expressions (object)',
  ExecutionCriteria: 'names of the venue selection criteria (object)',
  FIXED_RAW_MAX: 'largest raw value of a Fixed (bigint)',
  FIXED_SCALE_MAX: 'largest scale of a Fixed (number)',
  FRAMER_DEFAULT_BUFFER_BYTES: 'default buffer bound of MessageFramer (number)',
  HOT_FIELDS: 'field names a FieldSet accepts (array)',
  IDENTITY_VERSION: 'version byte of the identity encoding (number)',
  LOG_APPLIER_DEFAULT_MAX_GAP: 'default largest sequence jump LogApplier accepts (bigint)',
  LOG_APPLIER_MAX_HOLES: 'most sequence holes LogApplier tracks (number)',
  MAX_LIMIT_HITS: 'discovery limit hits reported per payload (number)',
  MAX_PAYLOAD_BYTES: 'largest payload discovery reads (number)',
  MAX_RECORD_DEPTH: 'deepest record nesting discovery reads (number)',
  MIC_CSV_COLUMNS: 'columns of the ISO 10383 CSV (array)',
  MIC_CSV_FILE: 'file name of the ISO 10383 CSV (string)',
  MUTABLE_FIELDS: 'fields an update may change (array)',
  COMMON_FIELD_NAMES: 'names of the fields every kind has (set)',
  INSTRUMENT_FIELD_NAMES: 'names of every field of any kind (set)',
  READER_POOL_MAX_THREADS: 'most worker threads of a reader pool (number)',
  RECORDS_EXPRESSION_LIMITS: 'evaluation bounds of the records expression (object)',
  SNAPSHOT_CHUNK_BYTES: 'write chunk of writeSnapshot (number)',
  VENUE_CODE_RE: 'pattern of a venue code (RegExp)',
  VENUE_STATUSES: 'venue statuses (array)',
};

/** Cases of the functions of `instreg/layout`. */
export function layoutCases(): Record<string, Member> {
  const arithmetic =
    'pure layout arithmetic over layout constants (no failure path: a non-number gives NaN); not validated so the readers’ generation sync stays free of checks';
  return {
    wordIndex: {
      throws: all(each(layout.wordIndex, { misaligned: 3, NaN: NaN, string: 'x' }), sweep(layout.wordIndex, [4], 0, ['undefined', 'object', 'symbol'])),
    },
    kindDescriptor: {
      misses: {
        unknown: [() => layout.kindDescriptor('bond' as never), undefined],
        proto: [() => layout.kindDescriptor('toString' as never), undefined],
      },
    },
    indexOffset: { throws: each((n: never) => layout.indexOffset(1024, n), { unknown: 'NOPE', number: 7, undefined: undefined, lower: 'isin' }) },
    codeName: {
      misses: {
        unknownCode: [() => layout.codeName(layout.KIND_CODES, 999), undefined],
        string: [() => layout.codeName(layout.KIND_CODES, 'stock' as never), undefined],
      },
    },
    alignUp: { allow: arithmetic },
    eventRingSize: { allow: arithmetic },
    eventRecordOffset: { allow: arithmetic },
    indexesOffset: { allow: arithmetic },
    regionSize: { allow: arithmetic },
    sectionEntryOffset: { allow: arithmetic },
    sectionOffsets: { allow: arithmetic },
  };
}
