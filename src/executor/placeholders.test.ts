import { describe, expect, it } from 'vitest';
import { parseArg } from '../core/placeholder-text.js';
import { substitute } from './placeholders.js';

const values = { start: '2024-01-01', end: '2024-01-03', dates: '2024-01-01,2024-01-03', target: 'x', table: 's.x', run_id: 'r1' };

describe('substitute', () => {
  it.each([
    ['--start-date={start}', '--start-date=2024-01-01'],
    ['{start}..{end}', '2024-01-01..2024-01-03'],
    ['{{print $1}}', '{print $1}'],
    ["{{ print $1, \"{table}\" }}", '{ print $1, "s.x" }'],
    ['{{{start}}}', '{2024-01-01}'],
    ['{{start}}', '{start}'],
    ['a}}b{{c', 'a}b{c'],
    ['plain', 'plain'],
    ['lone { and } stay', 'lone { and } stay'],
    ['{unknown}', '{unknown}'],
    ['{constructor}', '{constructor}'],
    ['', ''],
  ])('%s → %s', (arg, expected) => {
    expect(substitute([arg], values)).toEqual([expected]);
  });

  it('keeps each element one argument, whatever the values hold', () => {
    expect(substitute(['echo', '{dates}', '{target}'], { ...values, target: 'a b; rm -rf /' })).toEqual(['echo', '2024-01-01,2024-01-03', 'a b; rm -rf /']);
  });

  it('does not read placeholders inside values', () => {
    expect(substitute(['{target}'], { ...values, target: '{start}' })).toEqual(['{start}']);
  });
});

describe('parseArg', () => {
  it('splits text, placeholders and escaped braces', () => {
    expect(parseArg("awk '{{print $1}}' {output}")).toEqual([
      { kind: 'text', text: "awk '{print $1}' " },
      { kind: 'placeholder', name: 'output' },
    ]);
    expect(parseArg('{}')).toEqual([{ kind: 'placeholder', name: '' }]);
    expect(parseArg('{a{b}')).toEqual([{ kind: 'text', text: '{a' }, { kind: 'placeholder', name: 'b' }]);
  });
});
