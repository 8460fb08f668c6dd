/**
 * Appends `value` to the list of `key` in `map`, starting the list when there is none. In place:
 * a copy per append (`[...list, value]`) made grouping n values under one key cost n²/2 copies,
 * which 10,000 targets of one calendar or one dataset pay.
 */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
