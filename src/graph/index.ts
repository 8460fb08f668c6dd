/** Graph: the targets as a DAG held as adjacency lists (edges from config/edges.ts), cycles in its words, and selection of targets with their upstream or downstream. */
export * from './build.js';
export * from './select.js';
export * from './cycles.js';
