// Writer service in its own process, for fault tests:
// node writer-proc.mjs DIR [fsync] [snapshotEveryEntries] [logSegmentMaxBytes, 0 = default]
// Prints one JSON line {"listening": {...}} on stdout when ready. Killed with SIGKILL by the tests.
import { WriterService } from '../../dist/src/service/writer-service.js';

const [dir, fsync = 'group:2', snapshotEveryEntries = '0', segmentBytes = '0'] = process.argv.slice(2);
const policy = fsync === 'always' ? 'always' : { groupMs: Number(fsync.replace('group:', '')) };
const warnings = [];
const svc = await WriterService.start({
  dir,
  fsync: policy,
  snapshotEveryMs: 0,
  snapshotEveryEntries: Number(snapshotEveryEntries),
  logSegmentMaxBytes: Number(segmentBytes) || undefined,
  onWarning: (w) => warnings.push({ code: w.code, message: w.message }),
});
process.stdout.write(
  `${JSON.stringify({ listening: { socket: svc.socketPath, logSeq: svc.log.lastSeq.toString(), replayed: svc.startReport.replayed, warnings } })}\n`,
);
process.on('SIGTERM', () => void svc.close().then(() => process.exit(0)));
