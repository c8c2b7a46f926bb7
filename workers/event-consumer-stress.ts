/**
 * Worker entry for the event-ring stress test (`test/events-stress.test.ts`): attaches an
 * {@link EventConsumer} to the ring passed in `workerData` and verifies every event it
 * receives against the self-checking encoding in {@link expectedFor}: in order, exactly once,
 * untorn; when lapped it resyncs and counts the skipped events as missed.
 * Posts a {@link StressResult} when its position reaches `total`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventConsumer, LappedError, type EventView } from '../src/events/ring.js';

/** Input of the stress consumer. */
export interface StressWorkerData {
  /** The ring. */
  sab: SharedArrayBuffer;
  /** Events the writer will publish in total (sequences 0..total−1). */
  total: number;
  /** `'poll'`: spin on `pollInto`; `'wait'`: `waitAvailable` (Atomics.waitAsync) then drain. */
  mode: 'poll' | 'wait';
  /** Reader copy scheme. */
  copy: 'atomic' | 'fenced';
  /** Marks this worker as an event stress consumer. */
  eventStress: true;
}

/** What the stress consumer reports. */
export interface StressResult {
  received: number;
  missed: number;
  laps: number;
  /** First few verification failures (empty when all good). */
  errors: string[];
}

/**
 * The self-checking encoding shared by the stress writer and consumers: every field of event
 * `seq` is derived from `seq`, and the timestamp carries a checksum of the other fields.
 * @returns `[idLo, idHi, chainId, kindCode, venueLen, tsLo, tsHi]`
 */
export function expectedFor(seq: number): [number, number, number, number, number, number, number] {
  const idLo = Math.imul(seq | 0, 0x9e3779b1) >>> 0;
  const idHi = (seq ^ 0x5bd1e995) >>> 0;
  const chainId = (seq * 7) % 100_003;
  const kindCode = 1 + (seq % 9);
  const venueLen = seq % 17;
  const tsLo = (Math.imul(idLo ^ idHi, 31) + chainId * 13 + kindCode + venueLen) >>> 0;
  const tsHi = seq % 1_000_003;
  return [idLo, idHi, chainId, kindCode, venueLen, tsLo, tsHi];
}

/** Venue code of event `seq`: `venueLen` chars cycling through A..Z offset by seq. */
export function venueFor(seq: number): string {
  const n = seq % 17;
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(65 + ((seq + i) % 26));
  return s;
}

function run(d: StressWorkerData): Promise<StressResult> | StressResult {
  const consumer = new EventConsumer(d.sab, { from: 0n, copy: d.copy });
  parentPort?.postMessage({ ready: true });
  const res: StressResult = { received: 0, missed: 0, laps: 0, errors: [] };
  let expectSeq = 0;
  const fail = (msg: string): void => {
    if (res.errors.length < 10) res.errors.push(msg);
  };
  const check = (v: EventView): void => {
    const seq = v.seq;
    if (seq !== expectSeq) fail(`seq ${seq}, expected ${expectSeq}`);
    expectSeq = seq + 1;
    res.received++;
    const [idLo, idHi, chainId, kindCode, venueLen, tsLo, tsHi] = expectedFor(seq);
    if (
      v.idLo !== idLo ||
      v.idHi !== idHi ||
      v.chainId !== chainId ||
      v.kindCode !== kindCode ||
      v.venueLength !== venueLen ||
      v.timestampLo !== tsLo ||
      v.timestampHi !== tsHi ||
      !v.venueEquals(venueFor(seq))
    ) {
      fail(`torn or corrupt event at seq ${seq}`);
    }
  };
  const step = (): void => {
    try {
      consumer.pollInto(check);
    } catch (e) {
      if (!(e instanceof LappedError)) throw e;
      res.laps++;
      if (e.missed < 1n) fail(`lapped with missed=${e.missed}`);
      const skipped = Number(consumer.resync());
      res.missed += skipped;
      expectSeq += skipped;
    }
  };
  if (d.mode === 'poll') {
    while (Number(consumer.position) < d.total) step();
    return res;
  }
  return (async () => {
    while (Number(consumer.position) < d.total) {
      await consumer.waitAvailable(1000);
      step();
    }
    return res;
  })();
}

if (parentPort && (workerData as StressWorkerData | undefined)?.eventStress === true) {
  const port = parentPort;
  Promise.resolve(run(workerData as StressWorkerData)).then(
    (r) => port.postMessage({ result: r }),
    (e: unknown) => port.postMessage({ error: String(e instanceof Error ? e.stack : e) }),
  );
}
