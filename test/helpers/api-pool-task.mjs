// A reader-pool `module` task for test/api-errors.test.ts: throws a typed error inside the worker.
export function throwsTyped(ctx) {
  return ctx.reader.getById('not an id');
}
