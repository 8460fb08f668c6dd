/**
 * The spawn helper under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
 * native/spawn-helper.c compiled with `-fsanitize=address,undefined` into a temp folder, then the
 * native runner's contract suite, its edge cases and the raw frame tests run against that build
 * (a nested vitest, with `DAGRUN_TEST_SPAWN_HELPER` naming it; see test/helpers/native-helper.ts).
 * Every sanitizer report goes to a file in the temp folder, and any report fails the test, as does
 * any failing test of the suite. Skipped, saying why, where the C compiler cannot build or run a
 * sanitized program.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['src/executor/native-runner.test.ts', 'src/executor/native-edges.test.ts', 'src/executor/native-helper.test.ts'];
const FLAGS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer', '-g', '-O1', '-Wall'];

const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-sanitizers-'));
const helper = path.join(dir, 'spawn-helper');
/** Starts the sanitized helper with its reports sent to files `report.<pid>` in `dir`. */
const wrapper = path.join(dir, 'spawn-helper.sh');

/** Builds the sanitized helper and its wrapper; why not, when it cannot be had here. */
function buildSanitized(): string | undefined {
  // $CC may carry flags, as for scripts/build-native.mjs.
  const [compiler = 'cc', ...compilerFlags] = (process.env.CC || 'cc').trim().split(/\s+/);
  const compiled = spawnSync(compiler, [...compilerFlags, ...FLAGS, '-o', helper, path.join(ROOT, 'native/spawn-helper.c')], { encoding: 'utf8' });
  if (compiled.error) return `no C compiler (${compiler})`;
  if (compiled.status !== 0) return `${compiler} cannot build with -fsanitize=address,undefined: ${compiled.stderr.trim().split('\n')[0]}`;
  const reports = path.join(dir, 'report');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nASAN_OPTIONS=log_path=${reports}:detect_leaks=1 UBSAN_OPTIONS=log_path=${reports}:print_stacktrace=1 exec ${helper} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  // A sanitized program that cannot run here (no LeakSanitizer under ptrace, say) is an environment's limit, not a bug.
  const idle = spawnSync(wrapper, ['100'], { input: '', encoding: 'utf8' });
  if (idle.status !== 0) return `a sanitized program does not run here: ${reportsText() || idle.stderr.trim()}`;
  return undefined;
}

function reportsText(): string {
  return readdirSync(dir)
    .filter((name) => name.startsWith('report'))
    .map((name) => readFileSync(path.join(dir, name), 'utf8'))
    .join('\n');
}

const notBuilt = buildSanitized();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spawn-helper under ASan and UBSan', () => {
  it.skipIf(notBuilt !== undefined)(
    `passes the native runner's contract, edge cases and frame tests with no sanitizer report${notBuilt ? ` (skipped: ${notBuilt})` : ''}`,
    () => {
      const results = path.join(dir, 'results.json');
      const vitest = spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...SUITES, '-t', 'NativeRunner|spawn-helper', '--reporter=json', `--outputFile=${results}`],
        { cwd: ROOT, env: { ...process.env, DAGRUN_TEST_SPAWN_HELPER: wrapper }, encoding: 'utf8', timeout: 280_000 },
      );
      const report = JSON.parse(readFileSync(results, 'utf8')) as { testResults: { assertionResults: { fullName: string; status: string }[] }[] };
      const tests = report.testResults.flatMap((file) => file.assertionResults).filter((t) => /NativeRunner|spawn-helper/.test(t.fullName));
      expect(reportsText(), 'sanitizer reports').toBe('');
      expect(tests.filter((t) => t.status !== 'passed').map((t) => `${t.fullName}: ${t.status}`), vitest.stderr.slice(-4000)).toEqual([]);
      // The contract (~12), the edge cases (~8) and the frame tests (4): all of them ran.
      expect(tests.length).toBeGreaterThanOrEqual(20);
      expect(vitest.status).toBe(0);
    },
    300_000,
  );
});
