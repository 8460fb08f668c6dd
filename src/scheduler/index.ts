/** Scheduler: the pure plan — which targets get built, with which date batches, in what order, within which limits. No I/O. */
export * from './compute-plan.js';
export * from './plan.js';
export * from './pools.js';
export * from './priority.js';
export * from './simulate.js';
