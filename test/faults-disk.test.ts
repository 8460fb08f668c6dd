/**
 * Fault injection on dagrun's own files (`.dagrun/`): a full disk before and during a build
 * (a 1 MB tmpfs mounted over `.dagrun`, when this process may mount one; the warehouse lives
 * outside it), a bounded run history, private permissions, a token printed across the 64 KiB
 * cut of a long line, and a requested report that cannot be written. Real processes, real
 * DuckDB; each test checks the exit code, the message, that no stack trace is printed, and
 * what the warehouse holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { dagJson, type ProjectRig } from './helpers/rig.js';
import { endFaultProject, FAULT_SCRIPT, hasStackTrace, isoDays, newFaultProject } from './helpers/fault-scripts/harness.js';

const NOISY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/fault-scripts/noisy.mjs');
/** Where these tests keep the warehouse: outside `.dagrun`, so that a full `.dagrun` leaves it alone. */
const WAREHOUSE = 'wh/warehouse.duckdb';

let rig: ProjectRig;
let faultDir: string;
let mounted: string | undefined;
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => {
  if (mounted) spawnSync('umount', [mounted]);
  mounted = undefined;
  endFaultProject(rig, faultDir);
});

/** A project whose target `a` runs `argv` (2-day ranges over 2024-01-01..06), with the warehouse outside `.dagrun`. */
function project(argv: string[], dag: Record<string, unknown> = {}): void {
  rig.write({
    'dag.json5': dagJson({ warehouse: { type: 'duckdb', path: WAREHOUSE }, window: { start: '2024-01-01', end: '2024-01-06' }, ...dag }),
    'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: argv, maxDays: 2 } }),
  });
}

/** Distinct dates of s.a in the project's warehouse; [] when it or the table does not exist. */
async function dates(): Promise<string[]> {
  try {
    const rows = await rig.query(`SELECT DISTINCT strftime(d, '%Y-%m-%d') AS d FROM s.a ORDER BY 1`, WAREHOUSE);
    return rows.map((r) => String(r.d));
  } catch {
    return [];
  }
}

/** Mounts a tmpfs of `size` over the project's `.dagrun`; false when this process may not mount. */
function smallDisk(size: string): boolean {
  const dir = path.join(rig.dir, '.dagrun');
  mkdirSync(dir, { recursive: true });
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) return false;
  mounted = dir;
  return true;
}

/** Fills the small disk up to `leaveBytes` free. */
function fill(leaveBytes: number): void {
  const { bavail, bsize } = statSyncFs(mounted!);
  writeFileSync(path.join(mounted!, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
}

function statSyncFs(dir: string): { bavail: number; bsize: number } {
  const out = spawnSync('stat', ['-f', '-c', '%a %S', dir], { encoding: 'utf8' }).stdout.trim().split(' ');
  return { bavail: Number(out[0]), bsize: Number(out[1]) };
}

const canMount = (() => {
  const probe = path.join(process.env.TMPDIR ?? '/tmp', `dagrun-mount-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

describe.skipIf(!canMount)('a full disk under .dagrun (tmpfs)', () => {
  test('before the build: exit 2 naming the file and the full disk, nothing built, no lock left', async () => {
    project(['node', FAULT_SCRIPT, 'write']);
    expect(smallDisk('256k')).toBe(true);
    fill(0);
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^dagrun: cannot take the pipeline lock in .*\/\.dagrun: cannot write .*\/\.dagrun\/lock\/owner\.json: no space left on device$/);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(readdirSync(mounted!)).toEqual(['filler']);
    expect(await dates()).toEqual([]);
  });

  test('with room for the lock but not the run record: exit 2 naming the record, nothing built', async () => {
    project(['node', FAULT_SCRIPT, 'write']);
    expect(smallDisk('256k')).toBe(true);
    fill(4096); // one page: the lock's owner file
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dagrun: cannot write .*\/\.dagrun\/runs\/[^/]+\/run\.json under .*\/\.dagrun: no space left on device$/);
    expect(readdirSync(mounted!).sort()).toEqual(['filler', 'runs']);
    expect(await dates()).toEqual([]);
  });

  test('during the build: a log that cannot be written is said, the build finishes, the rows are there', async () => {
    project(['node', NOISY, String(2 * 1024 * 1024), 'write']);
    expect(smallDisk('1m')).toBe(true);
    fill(64 * 1024);
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/warning: cannot write .*\/\.dagrun\/runs\/[^/]+\/a\/0001-2024-01-01_2024-01-02-attempt1\.log: no space left on device; the log is incomplete, its last lines are kept for messages \(a later log that cannot be written is not said again/);
    expect(result.stdout.match(/warning: cannot write/g)).toHaveLength(1);
    // the run ends with its record, or says that it could not write it
    if (result.stderr !== '') expect(result.stderr).toMatch(/cannot write .*no space left on device/);
    expect(await dates()).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });
});
