/**
 * Generic EVM log decoding for mappings that declare `events` (Solidity event signatures).
 * Any log whose `topics[0]` is the selector of a declared event is decoded with viem's
 * `decodeEventLog`; the record handed to the mapping is the log plus `event` (the event name)
 * and `args` (decoded arguments by name, unnamed ones as `arg<i>`; integers become numbers when
 * safe, else decimal strings).
 * Logs shaped as in `eth_getLogs` results (and Otterscan receipts' `logs[]`).
 *
 * @module
 */
import { decodeEventLog, toEventSelector, type AbiEvent, type Hex } from 'viem';

/** Selector (topic0, lower-case hex) → event ABI. */
export type EventIndex = Map<string, AbiEvent>;

/** Build the topic0 index of a mapping's events. */
export function eventIndex(abis: readonly AbiEvent[]): EventIndex {
  const m: EventIndex = new Map();
  for (const a of abis) m.set(toEventSelector(a).toLowerCase(), a);
  return m;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Outcome of decoding one log: `other` = not one of the declared events. */
export type DecodeOutcome = { kind: 'decoded'; record: Record<string, unknown> } | { kind: 'other' } | { kind: 'error'; reason: string };

/**
 * Decode one log object against the declared events.
 * @returns `other` for logs of other events (or without topics), `error` when topic0 matches
 *   but the data/topics do not fit the ABI (e.g. different `indexed` layout).
 */
export function decodeLog(log: Record<string, unknown>, index: EventIndex): DecodeOutcome {
  const topics = log.topics;
  if (!Array.isArray(topics) || topics.length === 0 || typeof topics[0] !== 'string') return { kind: 'other' };
  const abi = index.get(topics[0].toLowerCase());
  if (!abi) return { kind: 'other' };
  try {
    if (!topics.every((t) => typeof t === 'string' && /^0x[0-9a-fA-F]{64}$/.test(t))) throw new Error('topics must be 32-byte hex');
    const data = typeof log.data === 'string' ? (log.data as Hex) : '0x';
    const d = decodeEventLog({ abi: [abi], data, topics: topics as [Hex, ...Hex[]], strict: true });
    // viem returns positional args when some inputs are unnamed: name them `arg<i>`.
    const raw = d.args as unknown;
    const args: Record<string, unknown> = {};
    abi.inputs.forEach((inp, i) => {
      const name = inp.name && inp.name !== '' ? inp.name : `arg${i}`;
      args[name] = Array.isArray(raw) ? raw[i] : (raw as Record<string, unknown>)[inp.name ?? ''];
    });
    return { kind: 'decoded', record: { ...log, event: d.eventName, args: plain(args) } };
  } catch (e) {
    return { kind: 'error', reason: `cannot decode ${abi.name}: ${(e as Error).message.split('\n')[0]}` };
  }
}
