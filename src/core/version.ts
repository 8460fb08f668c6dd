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
/**
 * dagrun's version and, for the bundle, which build of it (a digest of its files, written by
 * scripts/bundle.mjs): what caches under `.dagrun/` are kept for, so that a rebuild between
 * two version bumps (a checkout, `npm link`) never reads what another build kept.
 */
export function dagrunBuild(): string {
  try {
    const { id } = JSON.parse(readFileSync(new URL('./build-id.json', import.meta.url), 'utf8')) as { id?: unknown };
    return `${dagrunVersion()}+${typeof id === 'string' ? id : 'unknown'}`;
  } catch {
    return `${dagrunVersion()}+unbundled`;
  }
}

export function dagrunVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
