#!/usr/bin/env node
/**
 * Renders the README pictures into docs/img/: the `dagrun --status` table as a terminal shows
 * it (run in tmux, captured with its colours, turned into HTML) and the HTML report, both
 * photographed by headless Chromium. Works on a copy of the demo pipeline in a temp folder,
 * built with a few holes punched in so the heat map has something to show.
 *
 *   npx tsc -p tsconfig.json && node scripts/screenshots.mjs
 *
 * Needs tmux and Debian's chromium (apt-get install -y tmux chromium).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/dagrun.js');
const OUT = path.join(ROOT, 'docs/img');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const NOW = '2026-01-04T08:00:00Z';

/** Holes to punch after the build: [table, first date, last date]. */
const HOLES = [
  ['nba_analytics.player_game_summary', '2023-01-09', '2023-01-29'],
  ['nba_analytics.team_defense_game_summary', '2024-03-01', '2024-03-20'],
  ['nba_precompute.player_daily_cache', '2025-11-01', '2025-12-31'],
];

function dagrun(dir, args, env = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' });
}

/** Holes punched after the first report, so that the second shows dates that disappeared. */
const LATER_HOLES = [['nba_precompute.player_composite_factors', '2024-12-02', '2024-12-08']];

async function punchHoles(dir, holes = HOLES) {
  const instance = await DuckDBInstance.create(path.join(dir, '.dagrun/warehouse.duckdb'));
  const db = await instance.connect();
  for (const [table, first, last] of holes) {
    try {
      await db.run(`DELETE FROM ${table} WHERE game_date BETWEEN DATE '${first}' AND DATE '${last}'`);
    } catch (error) {
      console.warn(`could not punch a hole in ${table}: ${error.message}`);
    }
  }
  db.closeSync();
  instance.closeSync();
}

const SGR = { 1: 'font-weight:bold', 2: 'opacity:.6', 31: 'color:#ff6b6b', 32: 'color:#51cf66', 33: 'color:#fcc419', 36: 'color:#3bc9db', 90: 'color:#868e96' };
const escapeHtml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Turns the SGR colours tmux keeps in `capture-pane -e` into spans (the few picocolors uses). */
function ansiToHtml(text) {
  let open = 0;
  const body = escapeHtml(text).replace(/\u001b\[([\d;]*)m/g, (_, codes) => {
    const styles = codes.split(';').filter(Boolean).map((c) => SGR[Number(c)]).filter(Boolean);
    const closing = '</span>'.repeat(open);
    open = styles.length > 0 ? 1 : 0;
    return closing + (styles.length > 0 ? `<span style="${styles.join(';')}">` : '');
  });
  return `<!doctype html><meta charset="utf-8"><style>body{margin:0;background:#1e1e1e}
pre{margin:0;padding:18px 22px;color:#e9ecef;font:13px/1.35 "DejaVu Sans Mono",monospace;display:inline-block}</style><pre>${body}${'</span>'.repeat(open)}</pre>`;
}

/** Runs `dagrun --status` in a wide tmux terminal with colours and returns the screen as HTML. */
async function statusScreen(dir) {
  const socket = `dagrun-shots-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const command = `cd ${JSON.stringify(dir)} && env -u NO_COLOR -u CI FORCE_COLOR=1 node ${JSON.stringify(BIN)} --status --now ${NOW}; echo; echo __done__; sleep 60`;
  tmux('new-session', '-d', '-s', 'shots', '-x', '230', '-y', '60', command);
  try {
    for (let i = 0; i < 600; i++) {
      const screen = tmux('capture-pane', '-p', '-e', '-t', 'shots');
      if (screen.includes('__done__')) return ansiToHtml(`$ dagrun --status\n${screen.replace(/\n?__done__[\s\S]*/, '').trimEnd()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('dagrun --status did not finish in 60 s');
  } finally {
    tmux('kill-server');
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-shots-'));
  try {
    for (const name of ['dag.json5', 'targets', 'scripts', 'data']) cpSync(path.join(ROOT, name), path.join(dir, name), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    console.log(`building the demo pipeline in ${dir} …`);
    const build = dagrun(dir, ['-k', '--now', NOW]);
    if (build.status !== 0) console.warn(`the demo build exited with ${build.status}; photographing what there is`);
    await punchHoles(dir);
    const statusHtml = path.join(dir, 'status-terminal.html');
    writeFileSync(statusHtml, await statusScreen(dir));
    const report = path.join(dir, 'report.html');
    // the validation document: a first report as the baseline, then a second after more holes,
    // so that the page shows what changed since the last report
    dagrun(dir, ['--status', '--report', 'baseline.md', '--now', NOW]);
    await punchHoles(dir, LATER_HOLES);
    dagrun(dir, ['--status', '--html', 'report.html', '--report', 'report.md', '--now', NOW]);
    mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
    cpSync(path.join(dir, 'report.md'), path.join(ROOT, 'docs/validation-example.md'));

    mkdirSync(OUT, { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const terminal = await browser.newPage({ viewport: { width: 1400, height: 400 }, deviceScaleFactor: 1 });
      await terminal.goto(`file://${statusHtml}`);
      await terminal.locator('pre').screenshot({ path: path.join(OUT, 'status.png') });
      // the size the README's picture and test/html-fit.test.ts check: 1400×1000, no sideways scroll
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
      await page.goto(`file://${report}`);
      // the top of the page: the title, the facts and the whole graph, then the first heat map lines
      await page.screenshot({ path: path.join(OUT, 'report.png') });
    } finally {
      await browser.close();
    }
    console.log(`wrote ${path.join(OUT, 'status.png')}, ${path.join(OUT, 'report.png')} and docs/validation-example.md`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
