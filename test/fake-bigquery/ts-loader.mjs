/**
 * A tiny ESM loader so `main.mjs` can run the fake's TypeScript in a plain `node` process
 * (Node 20 cannot strip types itself): `.ts` files are transpiled, and the `./x.js`
 * specifiers of NodeNext-style imports resolve to `./x.ts`. It uses oxc through rolldown
 * (vite's bundler, already installed for vitest) because it starts in ~0.2 s; the
 * project's own TypeScript, which takes seconds to load, is the fallback.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const transpile = await import('rolldown/utils')
  .then(({ transformSync }) => (file, source) => transformSync(file, source, {}).code)
  .catch(async () => {
    const { default: ts } = await import('typescript');
    const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };
    return (file, source) => ts.transpileModule(source, { fileName: file, compilerOptions }).outputText;
  });

/** Maps `./x.js` imported from a `.ts` file to `./x.ts` when only the latter exists. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

/** Transpiles `.ts` modules to ES modules (types erased, no type checking). */
export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  return { format: 'module', source: transpile(file, await readFile(file, 'utf8')), shortCircuit: true };
}
