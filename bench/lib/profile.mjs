/**
 * Summarises a V8 .cpuprofile: self time per function and total time per module file, so a
 * benchmark can say where the CPU went without opening a profiler UI.
 */
import { readFileSync } from 'node:fs';

/** Top `limit` functions by self time and files by self time, in milliseconds. */
export function summariseProfile(file, limit = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const fnTime = new Map();
  const fileTime = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/');
    const fn = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + us);
    const mod = where || callFrame.functionName;
    fileTime.set(mod, (fileTime.get(mod) ?? 0) + us);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, us]) => [k, +(us / 1000).toFixed(1)]);
  return { functions: top(fnTime), files: top(fileTime), totalMs: +(deltas.reduce((a, b) => a + b, 0) / 1000).toFixed(1) };
}
