/**
 * The HTML page fits a 1400×1000 screen in headless Chromium (Debian's package, driven by
 * playwright-core): a four-year window of every day (1,538 dates, more than the demo's 848)
 * wraps into lines of months with no sideways scroll, a graph deeper than the page is wide
 * is scaled into its box (zoom and pan by buttons, wheel and drag move the viewBox), check
 * values and the sign-off block are on the page, and nothing is fetched. Run `npx tsc -p
 * tsconfig.json && node scripts/bundle.mjs` first.
 *
 *   src (source, holes, check) ──▶ s1 ──▶ s2 ──▶ … ──▶ s7     (SQL, never built)
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const canRun = existsSync(CHROMIUM) || process.env.CI !== undefined;
const CHAIN = 7;

function chain(): Record<string, string> {
  const files: Record<string, string> = {
    'dag.json5': dagJson({ window: { start: '2021-10-19', end: '2026-01-03' } }),
    'targets/src.json5': JSON.stringify({
      table: 'w.src_table_with_a_long_name', source: true, threshold: 0.9,
      checks: [{ name: 'value_populated', sql: 'SELECT avg(CASE WHEN v IS NULL THEN 0 ELSE 1 END) FROM w.src_table_with_a_long_name', min: 0.95 }],
    }),
    '.dagrun/.keep': '',
  };
  for (let i = 1; i <= CHAIN; i++) {
    files[`targets/stage_${i}_of_the_pipeline.json5`] = JSON.stringify({ table: `w.s${i}`, deps: [i === 1 ? 'src' : `stage_${i - 1}_of_the_pipeline`], build: { sql: 's.sql' } });
  }
  files['targets/s.sql'] = 'SELECT 1';
  return files;
}

let browser: Browser;
let rig: ProjectRig;
beforeAll(async () => {
  if (canRun) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => browser?.close());
afterEach(() => rig?.cleanup());

describe.skipIf(!canRun)('the HTML page at 1400×1000 in headless Chromium', () => {
  it('fits a 1,538-date heat map without a sideways scroll and a deep graph into its box, with check values', async () => {
    rig = new ProjectRig().write(chain());
    // every day but 2023-01-09..2023-01-29; v NULL on 1 row in 10
    await rig.query(`CREATE SCHEMA w; CREATE TABLE w.src_table_with_a_long_name AS
      SELECT CAST(x AS DATE) AS d, CASE WHEN row_number() OVER () % 10 = 0 THEN NULL ELSE 1 END AS v
      FROM generate_series(DATE '2021-10-19', DATE '2026-01-03', INTERVAL 1 DAY) t(x)
      WHERE NOT CAST(x AS DATE) BETWEEN DATE '2023-01-09' AND DATE '2023-01-29'`);
    const status = await rig.exec(['--status', '--html', 'out/page.html', '--report', 'out/page.md', '--now', '2026-01-04T08:00:00Z']);
    expect(status.code).toBe(1);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const fetched: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('request', (r) => !r.url().startsWith('file:') && fetched.push(r.url()));
    await page.goto(`file://${path.join(rig.dir, 'out/page.html')}`);

    // no sideways scroll anywhere: the heat map's box holds it, the page is no wider than the screen
    // (a string: the test's TypeScript has no DOM types)
    const heat = (await page.evaluate(`(() => {
      const box = document.getElementById('heatmap').parentElement;
      return { scroll: box.scrollWidth, client: box.clientWidth, page: document.documentElement.scrollWidth };
    })()`)) as { scroll: number; client: number; page: number };
    expect(heat.scroll).toBeLessThanOrEqual(heat.client);
    expect(heat.page).toBeLessThanOrEqual(1400);
    // the heat map draws at its own size (cells stay 8px), wrapped into lines of months
    const mapBox = (await page.locator('#heatmap').boundingBox())!;
    expect(mapBox.width).toBeGreaterThan(900);
    const lines = await page.locator('#hm-src .cells').count();
    expect(lines).toBeGreaterThan(1);
    expect(await page.locator('#hm-src .cells rect.m').count()).toBe(21);
    expect(await page.locator('#hm-src .cells rect.p').count()).toBe(1538 - 21);
    // a hole in a later line still tells its date on hover
    await page.hover('#hm-src .cells rect.m >> nth=0');
    expect(await page.locator('#tip').textContent()).toBe('src · 2023-01-09 (Mon) · missing');

    // the whole graph is inside its box: every node within the SVG's box, the SVG within the page
    const graph = (await page.locator('#graph').boundingBox())!;
    const holder = (await page.locator('.graphbox').boundingBox())!;
    expect(graph.x).toBeGreaterThanOrEqual(holder.x);
    expect(graph.x + graph.width).toBeLessThanOrEqual(holder.x + holder.width + 0.5);
    expect(await page.locator('#graph .node').count()).toBe(CHAIN + 1);
    for (const node of await page.locator('#graph .node rect').all()) {
      const b = (await node.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(graph.x - 0.5);
      expect(b.x + b.width).toBeLessThanOrEqual(graph.x + graph.width + 0.5);
      expect(b.y + b.height).toBeLessThanOrEqual(graph.y + graph.height + 0.5);
    }
    // zoom in and out with the buttons and the wheel, pan by dragging, fit again
    const fit = await page.locator('#graph').getAttribute('viewBox');
    await page.click('.zoom button[data-zoom="in"]');
    const zoomed = (await page.locator('#graph').getAttribute('viewBox'))!.split(' ').map(Number);
    expect(zoomed[2]).toBeLessThan(Number(fit!.split(' ')[2]));
    await page.mouse.move(graph.x + graph.width / 2, graph.y + graph.height / 2);
    await page.mouse.down();
    await page.mouse.move(graph.x + graph.width / 2 - 100, graph.y + graph.height / 2, { steps: 4 });
    await page.mouse.up();
    expect(Number((await page.locator('#graph').getAttribute('viewBox'))!.split(' ')[0])).toBeGreaterThan(zoomed[0]!);
    await page.mouse.wheel(0, -300);
    await page.click('.zoom button[data-zoom="fit"]');
    expect(await page.locator('#graph').getAttribute('viewBox')).toBe(fit);

    // check values with bounds, and the validation document's sign-off
    const check = page.locator('#checks tr[data-check="value_populated"] td');
    expect(await check.allTextContents()).toEqual(['src', 'value_populated', '0.900461', '≥ 0.95', 'fail', '']);
    expect(await page.locator('.signoff th').allTextContents()).toEqual(['Reviewer', 'Date', 'Verdict', 'Notes']);

    const shot = process.env.DAGRUN_KEEP_SHOT ?? path.join(rig.dir, 'out/page.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
    expect(fetched).toEqual([]);
    await page.close();
  });
});
