/**
 * The binary frames between `NativeRunner` and `native/spawn-helper.c` (the format is described
 * at the top of the C file): every frame is a u32 length of what follows, a type byte, a u32
 * command id and a payload, little-endian. Binary rather than JSON lines because output bytes
 * pass through as they are, and the helper stays a few hundred lines of C with no parser.
 */

/** What the helper reports about one command. */
export type HelperEvent =
  /** The command runs as `pid`, the leader of its own process group. */
  | { readonly type: 'started'; readonly id: number; readonly pid: number }
  /** It could not start: `errno` (ENOENT, EACCES… the same numbers on Linux and macOS) and its text. */
  | { readonly type: 'failed'; readonly id: number; readonly errno: number; readonly message: string }
  /** Bytes it wrote to stdout or stderr (one pipe for both, so their order is kept). */
  | { readonly type: 'output'; readonly id: number; readonly bytes: Buffer }
  /** It was reaped and its output ended: an exit code, or the number of the signal that killed it. */
  | { readonly type: 'exited'; readonly id: number; readonly code: number | undefined; readonly signal: number | undefined };

const HEADER = 9; // u32 length, u8 type, u32 id

/** An environment as the helper reads it: `count` NUL-terminated `K=V` pairs, joined. */
export interface EnvironmentText {
  readonly text: string;
  readonly count: number;
}

/** The environment text of `K=V` pairs. */
export function environmentText(pairs: readonly string[]): EnvironmentText {
  return { text: pairs.map((pair) => `${pair}\0`).join(''), count: pairs.length };
}

/** A run frame: start `argv` in `cwd` with exactly `env` (K=V, the merged environment). */
export function encodeRun(id: number, cwd: string, argv: readonly string[], env: EnvironmentText): Buffer {
  // NUL-terminated, as C wants them (a string containing a NUL cannot start, as with spawn()).
  const cwdText = `${cwd}\0`;
  const argvText = argv.map((arg) => `${arg}\0`).join('');
  const envText = env.text;
  const frame = Buffer.allocUnsafe(HEADER + Buffer.byteLength(cwdText) + 4 + Buffer.byteLength(argvText) + 4 + Buffer.byteLength(envText));
  frame.writeUInt32LE(frame.length - 4, 0);
  frame[4] = 0x52; // 'R'
  frame.writeUInt32LE(id, 5);
  let at = HEADER + frame.write(cwdText, HEADER);
  at = frame.writeUInt32LE(argv.length, at);
  at += frame.write(argvText, at);
  at = frame.writeUInt32LE(env.count, at);
  frame.write(envText, at);
  return frame;
}

/** A kill-all frame: the helper SIGKILLs every process group it started so far. */
export function encodeKillAll(): Buffer {
  const frame = Buffer.alloc(HEADER);
  frame.writeUInt32LE(HEADER - 4, 0);
  frame[4] = 0x4b; // 'K'
  return frame;
}

/** Cuts the helper's stdout into events; chunks may split frames anywhere. */
export class EventReader {
  #pending: Buffer | undefined;

  /** The complete events in `chunk` (plus what earlier chunks left). */
  *read(chunk: Buffer): Generator<HelperEvent> {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let at = 0;
    while (data.length - at >= 4) {
      const end = at + 4 + data.readUInt32LE(at);
      if (end > data.length) break;
      yield decode(data, at, end);
      at = end;
    }
    if (at < data.length) this.#pending = Buffer.from(data.subarray(at)); // a copy, not a view that pins the whole chunk
  }
}

function decode(data: Buffer, at: number, end: number): HelperEvent {
  const type = String.fromCharCode(data[at + 4]!);
  const id = data.readUInt32LE(at + 5);
  const body = at + HEADER;
  switch (type) {
    case 'S':
      return { type: 'started', id, pid: data.readInt32LE(body) };
    case 'F':
      return { type: 'failed', id, errno: data.readInt32LE(body), message: data.toString('utf8', body + 4, end) };
    case 'O':
      return { type: 'output', id, bytes: data.subarray(body, end) };
    case 'X': {
      const code = data.readInt32LE(body);
      const signal = data.readInt32LE(body + 4);
      return { type: 'exited', id, code: code < 0 ? undefined : code, signal: signal === 0 ? undefined : signal };
    }
    default:
      throw new Error(`Internal error: unknown event ${JSON.stringify(type)} from the spawn helper`);
  }
}
