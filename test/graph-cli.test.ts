/**
 * `dagrun graph` through the built CLI: Mermaid, dot and JSON of a small pipeline with a
 * lookback and a calendar provider, and a cycle refused with exit 2. Run `npx tsc -p
 * tsconfig.json` first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

// Tests run concurrently, so folders are removed once all are done.
const rigs: ProjectRig[] = [];
afterAll(() => rigs.forEach((rig) => rig.cleanup()));

/** schedule (raw, source) → games (calendar from schedule) → rolling (lookback 7), and `end`, a word Mermaid reserves. */
function pipeline(): ProjectRig {
  const rig = new ProjectRig().write({
    'dag.json5': dagJson({ calendar: { table: 'raw.schedule', dateColumn: 'game_date' }, groups: { phase3: { concurrency: 2 } } }),
    'targets/raw/schedule.json5': "{ table: 'raw.schedule', dateColumn: 'game_date', source: true, calendar: { every: 'day' } }",
    'targets/games.json5': "{ table: 'an.games', group: 'phase3', build: { command: ['true'] } }",
    'targets/rolling.json5': "{ table: 'an.rolling', deps: [{ target: 'games', lookback: 7 }], build: { command: ['true'] } }",
    'targets/end.json5': "{ table: 'an.end_of_line', deps: ['rolling', 'games'], build: { command: ['true'] } }",
  });
  rigs.push(rig);
  return rig;
}

describe.concurrent('dagrun graph', () => {
  it('--format mermaid (the default) draws calendar edges dotted and lookbacks labelled', async () => {
    expect(await pipeline().exec(['graph'])).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'flowchart LR',
        '  schedule["schedule<br/><small>raw.schedule</small>"]',
        '  games["games<br/><small>an.games</small>"]',
        '  rolling["rolling<br/><small>an.rolling</small>"]',
        '  end_["end<br/><small>an.end_of_line</small>"]',
        '  schedule -. calendar .-> games',
        '  games -- "lookback 7d" --> rolling',
        '  schedule -. calendar .-> rolling',
        '  games --> end_',
        '  rolling --> end_',
        '  schedule -. calendar .-> end_',
      ].join('\n'),
    });
  });

  it('--format dot', async () => {
    const result = await pipeline().exec(['graph', '--format', 'dot']);
    expect(result.stdout.split('\n')).toEqual([
      'digraph dagrun {',
      '  rankdir=LR;',
      '  node [shape=box, fontname="Helvetica"];',
      '  "schedule" [label="schedule\\nraw.schedule"];',
      '  "games" [label="games\\nan.games"];',
      '  "rolling" [label="rolling\\nan.rolling"];',
      '  "end" [label="end\\nan.end_of_line"];',
      '  "schedule" -> "games" [style=dashed, label="calendar"];',
      '  "games" -> "rolling" [label="lookback 7d"];',
      '  "schedule" -> "rolling" [style=dashed, label="calendar"];',
      '  "games" -> "end";',
      '  "rolling" -> "end";',
      '  "schedule" -> "end" [style=dashed, label="calendar"];',
      '}',
    ]);
  });

  it('--format json lists targets in dependency order with table, group and deps, and every edge', async () => {
    const result = await pipeline().exec(['graph', '--format', 'json']);
    expect(result.code).toBe(0);
    const graph = JSON.parse(result.stdout) as { targets: unknown[]; edges: { from: string; to: string; kind: string }[] };
    expect(graph.targets).toEqual([
      { name: 'schedule', table: 'raw.schedule', group: null, source: true, deps: [] },
      { name: 'games', table: 'an.games', group: 'phase3', source: false, deps: [] },
      { name: 'rolling', table: 'an.rolling', group: null, source: false, deps: [{ target: 'games', lookback: 7 }] },
      { name: 'end', table: 'an.end_of_line', group: null, source: false, deps: [{ target: 'rolling', lookback: 0 }, { target: 'games', lookback: 0 }] },
    ]);
    expect(graph.edges.filter((e) => e.kind === 'calendar').map((e) => `${e.from}->${e.to}`)).toEqual(['schedule->games', 'schedule->rolling', 'schedule->end']);
  });

  it('refuses an unknown format with exit 2', async () => {
    const result = await pipeline().exec(['graph', '--format', 'svg']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^dagrun: Invalid values:\n {2}Argument: format, Given: "svg", Choices: "mermaid", "dot", "json"/);
  });

  it('refuses a cycle with exit 2, printed once, and no stack trace', async () => {
    const rig = pipeline().write({ 'targets/games.json5': "{ table: 'an.games', deps: ['end'], build: { command: ['true'] } }" });
    const result = await rig.exec(['graph']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: ['targets/end.json5 › deps[1]: dependency cycle: end -> games -> end', '', 'dagrun: the configuration has 1 error'].join('\n'),
    });
  });
});
