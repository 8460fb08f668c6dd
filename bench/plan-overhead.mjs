/**
 * (b) The runtime plan's own cost per unit of work at scale: `Plan` (dist/scheduler/plan.js)
 * driven in-process with no commands at all, so what is timed is choosing what starts next and
 * learning what ended. `n` targets of `batches` ranges each, every target after the one ten
 * before it, -j 8, `parallel` 4: µs per unit (ranges and gates).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './lib/project.mjs';

/** Runs a plan of `count` targets × `batches` to its end; returns µs per unit. */
export async function planMicrosPerUnit(count, batches) {
  const { Plan } = await import(pathToFileURL(path.join(DIST, 'scheduler/plan.js')).href);
  const steps = Array.from({ length: count }, (_, i) => ({
    target: `t${i}`, group: undefined, ranges: [], dates: batches, reasons: [], deferred: false,
    batches: Array.from({ length: batches }, (_, k) => ({ first: k, last: k, days: [k] })),
    after: i >= 10 ? [`t${i - 10}`] : [],
  }));
  const plan = new Plan(steps, { jobs: 8, groups: new Map(), parallel: () => 4, failureMode: 'no-new', priorityBudget: 0 });
  const started = performance.now();
  const running = [];
  let units = 0;
  while (plan.moreToDo()) {
    for (let unit = plan.findWork(); unit; unit = plan.findWork()) running.push(unit);
    plan.finished(running.shift());
    units++;
  }
  return ((performance.now() - started) * 1000) / units;
}
