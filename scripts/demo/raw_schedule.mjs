#!/usr/bin/env node
// nba_raw.schedule: the season schedule (stands in for the schedule scraper), loaded from the
// shipped data/schedule.csv for the dates dagrun asks for.
import { fileURLToPath } from 'node:url';
import { buildDates, replaceDates } from './lib.mjs';

const csv = fileURLToPath(new URL('../../data/schedule.csv', import.meta.url)).replace(/'/g, "''");

await replaceDates({
  table: 'nba_raw.schedule',
  dates: buildDates(),
  ddl: `CREATE TABLE IF NOT EXISTS nba_raw.schedule (
          game_id VARCHAR, season VARCHAR, game_date DATE, home_team VARCHAR, away_team VARCHAR,
          game_type VARCHAR)`,
  selectSql: `
    SELECT game_id, season, game_date, home_team, away_team,
           CASE left(game_id, 3) WHEN '002' THEN 'regular' WHEN '005' THEN 'play_in' ELSE 'playoffs' END AS game_type
    FROM read_csv('${csv}', header = true, columns = {
           'game_id': 'VARCHAR', 'season': 'VARCHAR', 'game_date': 'DATE', 'home_team': 'VARCHAR', 'away_team': 'VARCHAR'})
    WHERE game_date IN (SELECT game_date FROM build_dates)
    ORDER BY game_date, game_id`,
});
