/**
 * Instrument id derivation: BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs) over the
 * canonical identity bytes. Bytes 0..7 of the digest (little-endian) are the 64-bit id,
 * bytes 8..11 the 32-bit fingerprint kept in the record to detect collisions.
 *
 * The reference implementation is `@noble/hashes` (pure JS, ~3 µs per id here); the writer
 * uses `hash-wasm`'s WASM BLAKE3 (~10× faster) and tests cross-check the two on every kind.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { blake3 as Blake3 } from '@noble/hashes/blake3.js';
import type { createBLAKE3 } from 'hash-wasm';
import { RegistryError } from '../errors.js';
import { identityBytes, identityBytesScratch } from './identity.js';
import type { InstrumentInput } from '../model/types.js';
import { validateInstrument } from '../model/validate.js';

/** Digest bytes used: 8 for the id, 4 for the fingerprint. */
export const DIGEST_BYTES = 12;

/** The id and fingerprint of one instrument, as 32-bit halves (the record's storage form). */
export interface DerivedId {
  /** Low 32 bits of the id (unsigned). */
  idLo: number;
  /** High 32 bits of the id (unsigned). */
  idHi: number;
  /** Fingerprint: digest bits 64..95 (unsigned). */
  fp: number;
}

export { formatId, joinId, parseId, splitId } from './halves.js';

/**
 * The @noble/hashes BLAKE3 reference, loaded on first use (synchronously, Node's `require` of an ES
 * module), so that importing id helpers (readers, the CLI) does not pay for it.
 */
let nobleBlake3: typeof Blake3 | undefined;
function blake3(...args: Parameters<typeof Blake3>): Uint8Array {
  nobleBlake3 ??= (createRequire(import.meta.url)('@noble/hashes/blake3.js') as { blake3: typeof Blake3 }).blake3;
  return nobleBlake3(...args);
}

function le32(d: Uint8Array, off: number): number {
  return (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
}

function fromDigest(d: Uint8Array, idBits: number): DerivedId {
  let idLo = le32(d, 0);
  let idHi = le32(d, 4);
  if (idBits < 64) {
    if (idBits <= 32) {
      idHi = 0;
      idLo = idBits === 32 ? idLo : (idLo & ((1 << idBits) - 1)) >>> 0;
    } else {
      idHi = (idHi & ((1 << (idBits - 32)) - 1)) >>> 0;
    }
  }
  return { idLo, idHi, fp: le32(d, 8) };
}

/** Id width: an integer in 1..64. */
function checkIdBits(idBits: unknown): number {
  if (typeof idBits !== 'number' || !Number.isInteger(idBits) || idBits < 1 || idBits > 64) {
    throw new RegistryError('InvalidArgument', `idBits must be an integer in 1..64, got ${typeof idBits === 'number' ? idBits : typeof idBits}`);
  }
  return idBits;
}

/**
 * Canonical identity bytes (`identity.ts`, encoding v1) of an instrument, validated and
 * normalised first (`validateInstrument`), so the bytes are those its id is derived from.
 * Exported by the package as `identityBytes`.
 * @throws {ValidationError} on invalid input (see `validateInstrument`).
 */
export function checkedIdentityBytes(inst: InstrumentInput): Uint8Array {
  return identityBytes(validateInstrument(inst));
}

/**
 * Reference derivation with @noble/hashes (slow, used by tests to cross-check). The instrument
 * is validated and normalised first, as the registry does.
 * @throws {ValidationError} on invalid input (see `validateInstrument`).
 * @throws {RegistryError} `InvalidArgument` if `idBits` is not an integer in 1..64.
 */
export function deriveIdReference(inst: InstrumentInput, idBits = 64): DerivedId {
  checkIdBits(idBits);
  return fromDigest(blake3(checkedIdentityBytes(inst), { dkLen: DIGEST_BYTES }), idBits);
}

/**
 * Fast id derivation (WASM BLAKE3). Create once with {@link IdDeriver.create}; `derive` is synchronous.
 */
export class IdDeriver {
  private constructor(
    private readonly hasher: Awaited<ReturnType<typeof createBLAKE3>>,
    /** Bits of the digest kept as id (64 in production; narrower only to force collisions in tests). */
    readonly idBits: number,
  ) {}

  /**
   * @param idBits 1..64; anything below 64 is for collision tests only.
   * @throws {RegistryError} `InvalidArgument` if idBits is not an integer in 1..64.
   */
  static async create(idBits = 64): Promise<IdDeriver> {
    checkIdBits(idBits);
    const { createBLAKE3: create } = await import('hash-wasm'); // loaded only by writers
    return new IdDeriver(await create(DIGEST_BYTES * 8), idBits);
  }

  /**
   * Id and fingerprint of an instrument, validated and normalised first (`validateInstrument`).
   * @throws {ValidationError} on invalid input.
   */
  derive(inst: InstrumentInput): DerivedId {
    return this.deriveValidated(validateInstrument(inst));
  }

  /**
   * @internal Id and fingerprint of an instrument `validateInstrument` returned (the registry's
   * path: validation runs once, in `prepare`).
   */
  deriveValidated(norm: InstrumentInput): DerivedId {
    return this.deriveBytes(identityBytesScratch(norm));
  }

  /**
   * Id and fingerprint of canonical identity bytes.
   * @throws {RegistryError} `InvalidArgument` if `bytes` is not a Uint8Array.
   */
  deriveBytes(bytes: Uint8Array): DerivedId {
    if (!(bytes instanceof Uint8Array)) throw new RegistryError('InvalidArgument', 'identity bytes must be a Uint8Array');
    this.hasher.init();
    this.hasher.update(bytes);
    return fromDigest(this.hasher.digest('binary'), this.idBits);
  }
}
