/**
 * Values across the fake's two edges: BigQuery REST query parameters in, DuckDB values out;
 * DuckDB results in, BigQuery `schema` + `rows` (`{f: [{v}]}`, everything as text) out.
 */
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  LIST,
  TIMESTAMP,
  VARCHAR,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
  type Json,
  dateValue,
  listValue,
  timestampValue,
} from '@duckdb/node-api';

/** A query parameter as the REST API carries it. */
export interface RestParameter {
  readonly name?: string;
  readonly parameterType: { readonly type: string; readonly arrayType?: { readonly type: string } };
  readonly parameterValue?: { readonly value?: unknown; readonly arrayValues?: readonly { readonly value?: unknown }[] };
}

/** A BigQuery schema field. */
export interface RestField {
  readonly name: string;
  readonly type: string;
  readonly mode: 'NULLABLE' | 'REPEATED';
}

/** A result in the REST shape. */
export interface RestRows {
  readonly schema: { readonly fields: RestField[] };
  readonly rows: { f: { v: unknown }[] }[];
}

/** Named parameters as DuckDB values with explicit types (empty arrays need one). */
export interface DuckParams {
  readonly values: Record<string, DuckDBValue>;
  readonly types: Record<string, DuckDBType>;
}

/** Converts the REST query parameters; throws for types the fake does not know. */
export function toDuckParams(parameters: readonly RestParameter[] | undefined): DuckParams {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const parameter of parameters ?? []) {
    if (!parameter.name) throw new Error('the fake supports named parameters only');
    const { type, arrayType } = parameter.parameterType;
    if (type === 'ARRAY') {
      const element = duckType(arrayType?.type ?? 'STRING');
      const items = (parameter.parameterValue?.arrayValues ?? []).map((item) => scalar(arrayType?.type ?? 'STRING', item.value));
      values[parameter.name] = listValue(items);
      types[parameter.name] = LIST(element);
    } else {
      values[parameter.name] = scalar(type, parameter.parameterValue?.value);
      types[parameter.name] = duckType(type);
    }
  }
  return { values, types };
}

function duckType(type: string): DuckDBType {
  switch (type) {
    case 'DATE':
      return DATE;
    case 'INT64':
    case 'INTEGER':
      return BIGINT;
    case 'FLOAT64':
    case 'FLOAT':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return DOUBLE;
    case 'BOOL':
    case 'BOOLEAN':
      return BOOLEAN;
    case 'TIMESTAMP':
    case 'DATETIME':
      return TIMESTAMP;
    case 'STRING':
      return VARCHAR;
    default:
      throw new Error(`the fake does not support parameters of type ${type}`);
  }
}

function scalar(type: string, value: unknown): DuckDBValue {
  if (value === undefined || value === null) return null;
  switch (duckType(type)) {
    case DATE:
      return dateValue(Date.parse(`${String(value)}T00:00:00Z`) / 86_400_000);
    case BIGINT:
      return BigInt(String(value));
    case DOUBLE:
      return Number(value);
    case BOOLEAN:
      return value === true || value === 'true';
    case TIMESTAMP:
      return timestampValue(BigInt(Date.parse(isoInstant(String(value)))) * 1000n);
    default:
      return String(value);
  }
}

/** The BigQuery type of a DuckDB type name (as information_schema or a result spells it). */
export function bigQueryType(duckTypeName: string): string {
  const base = duckTypeName.replace(/\[\]$/, '').toUpperCase();
  if (base === 'DATE') return 'DATE';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(base)) return 'INTEGER';
  if (/^(FLOAT|DOUBLE|REAL)$/.test(base)) return 'FLOAT';
  if (base.startsWith('DECIMAL')) return 'NUMERIC';
  if (base === 'BOOLEAN') return 'BOOLEAN';
  if (base.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  if (base === 'BLOB') return 'BYTES';
  return 'STRING';
}

/** A DuckDB result in the REST shape, as jobs.query and getQueryResults return it. */
export function toRestRows(reader: DuckDBResultReader): RestRows {
  const names = reader.columnNames();
  const typeNames = reader.columnTypes().map((t) => String(t));
  const fields: RestField[] = names.map((name, i) => ({
    name,
    type: bigQueryType(typeNames[i]!),
    mode: typeNames[i]!.endsWith('[]') ? 'REPEATED' : 'NULLABLE',
  }));
  const rows = reader.getRowsJson().map((row) => ({
    f: row.map((cell, i) => {
      const field = fields[i]!;
      if (field.mode === 'REPEATED') return { v: ((cell as Json[] | null) ?? []).map((item) => ({ v: restCell(field.type, item) })) };
      return { v: restCell(field.type, cell) };
    }),
  }));
  return { schema: { fields }, rows };
}

/** One cell as the REST API spells it: text, or null; TIMESTAMPs as int64 microseconds. */
function restCell(type: string, cell: Json): string | null {
  if (cell === null || cell === undefined) return null;
  if (type === 'TIMESTAMP') return String(BigInt(Date.parse(isoInstant(String(cell)))) * 1000n);
  return typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}

/** `2024-01-02 03:04:05.123[+00]` → an ISO instant `Date.parse` reads as UTC. */
function isoInstant(text: string): string {
  const iso = text.trim().replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return /[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`;
}
