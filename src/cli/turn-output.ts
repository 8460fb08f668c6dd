/**
 * The process's stdout and stderr, written once per event-loop turn rather than once per line:
 * a build of 1000 ranges prints two lines per range, and a write() each cost ~50 µs of CPU
 * (docs/performance.md, a). The order across the two streams is kept (adjacent chunks of one
 * stream are joined, nothing is reordered), and what is pending is written at exit.
 */
import type { Output } from './commands/shared.js';

/** A pending chunk and the stream it goes to. */
interface Chunk {
  readonly stream: NodeJS.WriteStream;
  text: string;
}

/** An `Output` over two streams that writes at the end of the turn. */
export function turnOutput(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): Output {
  let pending: Chunk[] = [];
  const flush = () => {
    const chunks = pending;
    pending = [];
    for (const { stream, text } of chunks) stream.write(text);
  };
  const add = (stream: NodeJS.WriteStream, text: string) => {
    if (pending.length === 0) setImmediate(flush);
    const last = pending.at(-1);
    if (last?.stream === stream) last.text += text;
    else pending.push({ stream, text });
  };
  // process.exit() ends the loop before the turn's end; stdout and stderr writes are
  // synchronous there for files, pipes and terminals on Linux.
  process.once('exit', flush);
  return { stdout: (text) => add(stdout, text), stderr: (text) => add(stderr, text) };
}
