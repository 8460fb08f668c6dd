/**
 * Target files that are symbolic links to nothing. The glob library skips them without a
 * word, so a target would silently vanish from the pipeline: this finds them to report.
 */
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

/** A glob's fixed leading folders (`targets` of `targets/**\/*.json5`), where its matches can be. */
function staticBase(glob: string): string {
  const segments = glob.split('/');
  const magic = segments.findIndex((s) => /[*?{[]/.test(s));
  return segments.slice(0, magic === -1 ? segments.length - 1 : magic).join('/');
}

/** The glob as a regular expression over `/`-separated paths: `**`, `*`, `?` and `{a,b}`. */
function globRegExp(glob: string): RegExp {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (glob.startsWith('**/', i)) {
      source += '(?:[^/]*/)*';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '{') {
      source += '(?:';
      braces += 1;
    } else if (ch === '}' && braces > 0) {
      source += ')';
      braces -= 1;
    } else if (ch === ',' && braces > 0) source += '|';
    else source += ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** True for a link whose target does not exist (or loops). */
function dangling(link: string): boolean {
  try {
    statSync(link);
    return false;
  } catch {
    return true;
  }
}

/** Links under `dir` matching one of `globs` whose target does not exist, as absolute paths. */
export function findBrokenLinks(dir: string, globs: readonly string[]): string[] {
  const found = new Set<string>();
  for (const glob of globs) {
    const matcher = globRegExp(glob.replace(/^\.\//, ''));
    // Walked with a list, not recursion, and never into linked folders (which could loop).
    const pending = [path.resolve(dir, staticBase(glob))];
    while (pending.length > 0) {
      const folder = pending.pop()!;
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory() && entry.name !== 'node_modules') pending.push(full);
        else if (entry.isSymbolicLink() && dangling(full) && matcher.test(path.relative(dir, full).split(path.sep).join('/'))) found.add(full);
      }
    }
  }
  return [...found].sort();
}

/** Where a link points, as written in it. */
export function linkTarget(file: string): string {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : file;
  } catch {
    return file;
  }
}
