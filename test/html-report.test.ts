/**
 * The HTML report in a real browser: `dagrun --status --html` on a warehouse with holes,
 * loaded in headless Chromium (Debian's package, driven by playwright-core). Asserts the
 * graph and the heat map rendered, the hover tip names the date and state, nothing was
 * fetched, and the console stayed clean. Run `npx tsc -p tsconfig.json` first.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const CHROMIUM = '/usr/bin/chromium';
/** The flags that keep Chromium quiet and offline in a container. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
// CI installs chromium (.ci/run); elsewhere the test is skipped rather than failing on a missing browser.
const canRun = existsSync(CHROMIUM) || process.env.CI !== undefined;

const DOWN_SQL = `
CREATE SCHEMA IF NOT EXISTS w;
CREATE TABLE IF NOT EXISTS w.down (d DATE);
DELETE FROM w.down WHERE d IN (SELECT unnest(@dates));
INSERT INTO w.down SELECT d FROM w.raw WHERE d IN (SELECT unnest(@dates));
`;

let browser: Browser;
let rig: ProjectRig;
beforeAll(async () => {
  if (canRun) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => browser?.close());
afterEach(() => rig?.cleanup());

describe.skipIf(!canRun)('the HTML report in headless Chromium', () => {
  it('draws the graph by state and a heat map whose holes show date and state on hover', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-02-29' } }),
      'targets/raw.json5': JSON.stringify({ table: 'w.raw', source: true }),
      'targets/down.json5': JSON.stringify({ table: 'w.down', deps: ['raw'], build: { sql: 'down.sql' } }),
      'targets/down.sql': DOWN_SQL,
      '.dagrun/.keep': '',
    });
    // The source misses 2024-01-03 and 2024-01-04 and the whole week of 2024-02-12.
    await rig.query(`CREATE SCHEMA w; CREATE TABLE w.raw AS SELECT CAST(x AS DATE) AS d FROM generate_series(DATE '2024-01-01', DATE '2024-02-29', INTERVAL 1 DAY) t(x)
      WHERE CAST(x AS DATE) NOT IN (DATE '2024-01-03', DATE '2024-01-04') AND NOT (CAST(x AS DATE) BETWEEN DATE '2024-02-12' AND DATE '2024-02-18')`);
    const status = await rig.exec(['--status', '--html', 'out/status.html', '--now', '2024-03-01T08:00:00Z']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('dagrun status');
    const file = path.join(rig.dir, 'out/status.html');

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    const fetched: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) fetched.push(request.url());
    });
    await page.goto(`file://${file}`);

    expect(await page.locator('#graph .node').count()).toBe(2);
    expect(await page.locator('#graph .node.stale').getAttribute('data-target')).toBe('raw');
    expect(await page.locator('#graph .node.blocked').getAttribute('data-target')).toBe('down');
    expect(await page.locator('#graph path.edge').count()).toBe(1);

    const rawCells = page.locator('#hm-raw .cells rect');
    expect(await page.locator('#hm-raw .cells rect.m').count()).toBe(9);
    expect(await page.locator('#hm-raw .cells rect.p').count()).toBe(60 - 9);
    expect(await page.locator('#hm-down .cells rect.m').count()).toBe(60);
    expect(await rawCells.count()).toBe(60 + 1);

    // 2024-01-03 is a Wednesday in the first week column: x = 0, y = 2 rows down.
    await page.hover('#hm-raw .cells rect.m >> nth=0');
    expect(await page.locator('#tip').isVisible()).toBe(true);
    expect(await page.locator('#tip').textContent()).toBe('raw · 2024-01-03 (Wed) · missing');
    await page.hover('#hm-raw .cells rect.p >> nth=0');
    expect(await page.locator('#tip').textContent()).toBe('raw · 2024-01-01 (Mon) · present');

    const shot = path.join(rig.dir, 'out/status.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    const box = await page.locator('#heatmap').boundingBox();
    expect(box!.width).toBeGreaterThan(250);
    expect(problems).toEqual([]);
    expect(fetched).toEqual([]);
    await page.close();
  });
});
