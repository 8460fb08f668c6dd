/**
 * The compiled posix_spawn helper for tests: built from native/spawn-helper.c when missing or
 * stale; or the one `DAGRUN_TEST_SPAWN_HELPER` names (a sanitizer build: test/native-sanitizers.test.ts),
 * used as it is.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The helper the tests run: `DAGRUN_TEST_SPAWN_HELPER`, else where the build puts it. */
export const HELPER = process.env.DAGRUN_TEST_SPAWN_HELPER || path.join(ROOT, 'dist/native/spawn-helper');

/**
 * Compiles the helper when it is missing or older than its source; undefined when it is there,
 * else why not (tests that need it skip, saying so). A helper named by the environment is never
 * compiled here, and must exist.
 */
export function ensureHelper(): string | undefined {
  const modified = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  if (process.env.DAGRUN_TEST_SPAWN_HELPER) {
    if (modified(HELPER) < 0) throw new Error(`DAGRUN_TEST_SPAWN_HELPER names ${HELPER}, which does not exist`);
    return undefined;
  }
  if (modified(HELPER) < modified(path.join(ROOT, 'native/spawn-helper.c'))) {
    spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-native.mjs'), '--quiet'], { stdio: 'inherit' });
  }
  if (modified(HELPER) >= 0) return undefined;
  return spawnSync(process.env.CC || 'cc', ['--version']).error ? 'no C compiler' : 'native/spawn-helper.c did not compile';
}
