/**
 * dagrun's own version, from its package.json. yargs' `.version()` without an argument looks for
 * the nearest package.json above the working directory or the entry script's link, which in a
 * project that installed dagrun is the project's own: `dagrun --version` printed its version.
 */
import { readFileSync } from 'node:fs';

/**
 * The version in dagrun's package.json, found relative to this module: dist/cli/ (tsc's output)
 * and dist/bundle/ (the bundle) both sit two levels below the package root.
 */
export function dagrunVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
