import { describe, expect, it } from 'vitest';
import { parseJson5 } from './json5-file.js';

describe('parseJson5', () => {
  it('reads plain JSON and JSON5 to the same value', () => {
    const json = '{"table": "a.b", "deps": ["x", {"target": "y", "lookback": 7}], "threshold": 0.95}';
    const json5 = "{ table: 'a.b', // the table\n deps: ['x', { target: 'y', lookback: 7 },], threshold: .95 }";
    expect(parseJson5(json, 'f.json5')).toEqual(parseJson5(json5, 'f.json5'));
    expect(parseJson5(json, 'f.json5')).toEqual({ value: { table: 'a.b', deps: ['x', { target: 'y', lookback: 7 }], threshold: 0.95 } });
  });

  it('locates a syntax error with json5 even when the text looked like JSON', () => {
    expect(parseJson5('{"table": "a.b"\n "deps": []}', 'targets/t.json5')).toEqual({
      diagnostic: {
        file: 'targets/t.json5',
        path: '',
        message: 'syntax error: unexpected \'\\"\' (is a "," missing before it?)',
        location: { line: 2, column: 2, sourceLine: ' "deps": []}' },
      },
    });
  });
});
