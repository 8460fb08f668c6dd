/** Small formatting helpers shared by reporters: the ones in core/format.ts, which every stage uses. */
export { formatBytes, formatDuration, formatPercent, formatThreshold } from '../core/format.js';
