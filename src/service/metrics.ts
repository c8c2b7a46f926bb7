/**
 * Prometheus metrics of the writer service (prom-client), served as text exposition format on
 * `http://127.0.0.1:<port>/metrics`. Names follow the Prometheus conventions: `instreg_` prefix,
 * `_total` for counters, base units (seconds, bytes). Values are read from the service when
 * scraped (collect callbacks), so the hot path only bumps plain counters.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read from the service at scrape time. */
export interface MetricsSource {
  instrumentsByKind(): Record<string, number>;
  registrations(): Record<string, number>;
  updates(): number;
  removals(): number;
  failuresByCode(): Record<string, number>;
  collisions(): number;
  logSeq(): bigint;
  logBytes(): number;
  snapshotAgeSeconds(): number | undefined;
  replicas(): Array<{ id: number; lagEntries: bigint; bufferedBytes: number }>;
  malformed(): Record<string, number>;
  /** Table and string-heap state (`InstrumentRegistry.getMetrics`). */
  table(): TableState;
}

/** Table and string-heap figures of the writer's registry, read at scrape time. */
export interface TableState {
  /** Tombstoned slots. */
  tombstones: number;
  /** Table capacity, slots. */
  capacity: number;
  /** (live + tombstones) / capacity. */
  loadFactor: number;
  /** Table generation (each growth, rebuild or compaction publishes a new one). */
  generation: number;
  /** Bytes in use in the current heap. */
  heapBytes: number;
  /** Of those, bytes live records reference. */
  heapLiveBytes: number;
  /** Heap compactions since start. */
  heapCompactions: number;
}

/** The service's metrics registry plus the fsync latency histogram fed by the log. */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Observe one commit's fdatasync time, seconds. */
  readonly fsyncSeconds: Histogram;
  private server: Server | undefined;

  constructor(src: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'instreg_' });
    const setGauge = (g: Gauge, values: Record<string, number>, label: string) => {
      g.reset();
      for (const [k, v] of Object.entries(values)) g.set({ [label]: k }, v);
    };
    const setCounter = (c: Counter, values: Record<string, number>, label: string) => {
      c.reset();
      for (const [k, v] of Object.entries(values)) c.inc({ [label]: k }, v);
    };
    new Gauge({
      name: 'instreg_instruments',
      help: 'Live instruments by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        setGauge(this, src.instrumentsByKind(), 'kind');
      },
    });
    new Counter({
      name: 'instreg_registrations_total',
      help: 'Accepted registrations by outcome',
      labelNames: ['outcome'],
      registers,
      collect() {
        setCounter(this, src.registrations(), 'outcome');
      },
    });
    new Counter({
      name: 'instreg_updates_total',
      help: 'Accepted updates',
      registers,
      collect() {
        this.reset();
        this.inc(src.updates());
      },
    });
    new Counter({
      name: 'instreg_removals_total',
      help: 'Accepted removals',
      registers,
      collect() {
        this.reset();
        this.inc(src.removals());
      },
    });
    new Counter({
      name: 'instreg_failures_total',
      help: 'Refused changes by error code',
      labelNames: ['code'],
      registers,
      collect() {
        setCounter(this, src.failuresByCode(), 'code');
      },
    });
    new Counter({
      name: 'instreg_malformed_frames_total',
      help: 'Connections dropped for a malformed frame, by error code',
      labelNames: ['code'],
      registers,
      collect() {
        setCounter(this, src.malformed(), 'code');
      },
    });
    new Counter({
      name: 'instreg_collisions_total',
      help: 'Id collisions detected',
      registers,
      collect() {
        this.reset();
        this.inc(src.collisions());
      },
    });
    new Gauge({
      name: 'instreg_log_sequence',
      help: 'Last durable log sequence number',
      registers,
      collect() {
        this.set(Number(src.logSeq()));
      },
    });
    new Gauge({
      name: 'instreg_log_bytes',
      help: 'Bytes in the log segments',
      registers,
      collect() {
        this.set(src.logBytes());
      },
    });
    new Gauge({
      name: 'instreg_snapshot_age_seconds',
      help: 'Age of the newest snapshot (NaN: none)',
      registers,
      collect() {
        this.set(src.snapshotAgeSeconds() ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'instreg_replicas_connected',
      help: 'Socket replicas connected',
      registers,
      collect() {
        this.set(src.replicas().length);
      },
    });
    new Gauge({
      name: 'instreg_replica_lag_entries',
      help: 'Durable entries not yet sent to a replica',
      labelNames: ['replica'],
      registers,
      collect() {
        this.reset();
        for (const r of src.replicas()) this.set({ replica: String(r.id) }, Number(r.lagEntries));
      },
    });
    new Gauge({
      name: 'instreg_replica_buffered_bytes',
      help: 'Bytes queued in a replica socket',
      labelNames: ['replica'],
      registers,
      collect() {
        this.reset();
        for (const r of src.replicas()) this.set({ replica: String(r.id) }, r.bufferedBytes);
      },
    });
    new Gauge({
      name: 'instreg_table_tombstones',
      help: 'Tombstoned slots in the table',
      registers,
      collect() {
        this.set(src.table().tombstones);
      },
    });
    new Gauge({
      name: 'instreg_table_capacity_slots',
      help: 'Table capacity in slots',
      registers,
      collect() {
        this.set(src.table().capacity);
      },
    });
    new Gauge({
      name: 'instreg_table_load_factor',
      help: '(live + tombstones) / capacity',
      registers,
      collect() {
        this.set(src.table().loadFactor);
      },
    });
    new Gauge({
      name: 'instreg_table_generation',
      help: 'Published table generation',
      registers,
      collect() {
        this.set(src.table().generation);
      },
    });
    new Gauge({
      name: 'instreg_heap_used_bytes',
      help: 'Bytes in use in the current string heap',
      registers,
      collect() {
        this.set(src.table().heapBytes);
      },
    });
    new Gauge({
      name: 'instreg_heap_live_bytes',
      help: 'String-heap bytes that live records reference (the rest is garbage until a compaction)',
      registers,
      collect() {
        this.set(src.table().heapLiveBytes);
      },
    });
    new Counter({
      name: 'instreg_heap_compactions_total',
      help: 'String-heap compactions (generation copies and rebuilds that reclaim garbage)',
      registers,
      collect() {
        this.reset();
        this.inc(src.table().heapCompactions);
      },
    });
    this.fsyncSeconds = new Histogram({
      name: 'instreg_fsync_seconds',
      help: 'fdatasync time per log commit',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
  }

  /** Text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Serve `/metrics` on `host:port` (default loopback; port 0 = ephemeral).
   * @returns the bound port
   */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.text().then(
        (t) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(t),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve((this.server!.address() as { port: number }).port));
    });
  }

  /** Stop serving. */
  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
