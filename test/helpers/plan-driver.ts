/** Stepping the runtime plan by hand in tests, as ninja's PlanTest does. */
import { expect } from 'vitest';
import type { Plan, WorkUnit } from '../../src/scheduler/plan.js';

/** `orders#1` for a range, `gate:orders` / `resolve:orders` otherwise. */
export const label = (unit: WorkUnit): string => (unit.kind === 'range' ? `${unit.target}#${unit.index}` : `${unit.kind}:${unit.target}`);

/** The labels of units. */
export const labels = (units: readonly WorkUnit[]): string[] => units.map(label);

/** Takes every unit the plan allows now. */
export function startAll(plan: Plan): WorkUnit[] {
  const units: WorkUnit[] = [];
  for (let unit = plan.findWork(); unit !== undefined; unit = plan.findWork()) units.push(unit);
  return units;
}

/** Finishes units ok, first started first, until the plan is done; the order of starts. */
export function runToEnd(plan: Plan): string[] {
  const order: string[] = [];
  let running = startAll(plan);
  while (running.length > 0) {
    const unit = running.shift()!;
    order.push(label(unit));
    plan.finished(unit);
    running = [...running, ...startAll(plan)];
  }
  expect(plan.moreToDo()).toBe(false);
  return order;
}
