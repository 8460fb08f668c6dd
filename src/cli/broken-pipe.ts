/**
 * What a closed output pipe means (`dagrun … | head -3`): by default the process ends, as
 * a Unix tool does on SIGPIPE; a build registers a handler instead, so that it stops like an
 * interrupt — ending its commands, recording the run — rather than vanishing with exit 0.
 */
let handler: (() => void) | undefined;

/** Handles broken pipes with `h` until the returned function is called. */
export function onBrokenPipe(h: () => void): () => void {
  handler = h;
  return () => {
    if (handler === h) handler = undefined;
  };
}

/** Called for every EPIPE on stdout or stderr; false when nobody handles it. */
export function brokenPipe(): boolean {
  if (!handler) return false;
  handler();
  return true;
}
