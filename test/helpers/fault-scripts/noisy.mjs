#!/usr/bin/env node
// A noisy build command for the fault-injection suites. `node noisy.mjs <bytes> <then>`:
// prints <bytes> of "x" with no line break, then the value of FAULT_TOKEN and a line break (so
// that the token straddles dagrun's 64 KiB forced cut of a long line when <bytes> is near it),
// then `then`: `write` inserts the dates handed over, like `fault.mjs write`; `fail` exits 1.
// Each write waits for the pipe to drain: the output reaches dagrun however slowly it reads.
const [bytes, then] = process.argv.slice(2);
const out = (text) => new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));
const block = 'x'.repeat(64 * 1024);
let left = Number(bytes);
while (left > 0) {
  await out(block.slice(0, Math.min(left, block.length)));
  left -= block.length;
}
await out(`${process.env.FAULT_TOKEN ?? ''}\nend of the noise\n`);
if (then === 'write') {
  process.argv[2] = 'write';
  await import('./fault.mjs');
} else {
  process.exitCode = 1; // not process.exit(): that would drop output still queued for a slow reader
}
