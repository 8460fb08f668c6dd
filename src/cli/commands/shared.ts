/** Where a command writes (core/output.ts), for the commands. */
export type { Output } from '../../core/output.js';
