/** Reading SQL text: statements split at `;` outside strings, names and comments, with their lines. */
import { describe, expect, it } from 'vitest';
import { QUOTED, sqlStatements, quotedOrCommentEnd } from './sql-text.js';

const Q = QUOTED;
const words = (sql: string, dialect: 'duckdb' | 'bigquery' = 'duckdb') => sqlStatements(sql, dialect).map((s) => [s.line, s.tokens.join(' ')]);

describe('sqlStatements', () => {
  it('splits at semicolons and gives the line of each first token', () => {
    expect(words('select 1;\n\n  -- note\n  Insert into s.t values (2);;')).toEqual([
      [1, 'SELECT 1'],
      [4, 'INSERT INTO S . T VALUES ( 2 )'],
    ]);
  });

  it('sets strings, quoted names and comments aside on DuckDB', () => {
    expect(words(`SELECT 'a;b' , 'it''s;' , "x;y" , $$c;d$$ , $t$e;f$t$ /* g; */ -- h;\nFROM t`)).toEqual([[1, `SELECT ${Q} , ${Q} , ${Q} , ${Q} , ${Q} FROM T`]]);
    // A backslash is no escape in DuckDB: 'C:\' ends the string.
    expect(words(`SELECT 'C:\\'; COMMIT`)).toEqual([[1, `SELECT ${Q}`], [1, 'COMMIT']]);
    // …except in E'…' strings.
    expect(words(`SELECT E'it\\'s; COMMIT' AS e, e 'x'`)).toEqual([[1, `SELECT ${Q} AS E , E ${Q}`]]);
  });

  it("reads BigQuery's backslash escapes, triple quotes, raw strings, backticks and # comments", () => {
    expect(words(`SELECT 'it\\'s;' , """a;\nb""" , r'c\\' , \`p.d;t\` # e;\n; COMMIT`, 'bigquery')).toEqual([
      [1, `SELECT ${Q} , ${Q} , ${Q} , ${Q}`],
      [3, 'COMMIT'],
    ]);
  });

  it('ends an unterminated string or comment at the end of the text', () => {
    expect(words("SELECT 'open; COMMIT")).toEqual([[1, `SELECT ${Q}`]]);
    expect(words('SELECT 1 /* open; COMMIT')).toEqual([[1, 'SELECT 1']]);
  });
});

describe('quotedOrCommentEnd', () => {
  it('finds the end of strings, quoted names and comments in each dialect, and nothing elsewhere', () => {
    const end = (sql: string, dialect: 'duckdb' | 'bigquery') => quotedOrCommentEnd(sql, sql.indexOf('|') + 1, dialect) - sql.indexOf('|') - 1;
    expect(end("|'it''s' x", 'duckdb')).toBe(7);
    expect(end("|'a\\'b' x", 'bigquery')).toBe(6); // backslash escapes in BigQuery strings
    expect(end("r|'a\\'", 'bigquery')).toBe(4); // not in raw ones: the string ends at the second quote
    expect(end('|"""a"b""" x', 'bigquery')).toBe(9);
    expect(end('|$tag$ @p; $tag$ x', 'duckdb')).toBe(15);
    expect(end('|# c\nx', 'bigquery')).toBe(3);
    expect(end('|-- c\nx', 'duckdb')).toBe(4);
    expect(end('|/* c */x', 'duckdb')).toBe(7);
    expect(end('|@p x', 'duckdb')).toBe(0);
  });
});
