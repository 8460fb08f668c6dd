/** Intervals: pure date and date-range math (days, runs over a calendar, splitting, merging). No I/O. */
export * from './day.js';
export * from './interval.js';
export * from './day-ranges.js';
export * from './coverage.js';
