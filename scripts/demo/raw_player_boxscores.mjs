#!/usr/bin/env node
// nba_raw.player_boxscores: one row per player per game (DNPs included with 0 minutes);
// stands in for the box-score scraper. Reads nba_raw.schedule of the same dates.
import { buildDates, writeRows } from './lib.mjs';
import { MODEL_SQL, BOX_COLUMNS } from './model.mjs';

await writeRows({
  table: 'nba_raw.player_boxscores',
  dates: buildDates(),
  setup: MODEL_SQL,
  ddl: `CREATE TABLE IF NOT EXISTS nba_raw.player_boxscores (
          game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
          is_home BOOLEAN, player_id INTEGER, player_name VARCHAR, starter BOOLEAN, dnp BOOLEAN,
          minutes DOUBLE, fga INTEGER, fgm INTEGER, fg3a INTEGER, fg3m INTEGER, fta INTEGER, ftm INTEGER,
          points INTEGER, oreb INTEGER, dreb INTEGER, rebounds INTEGER, assists INTEGER, turnovers INTEGER)`,
  selectSql: `
    SELECT game_id, season, game_date, team_abbr, opponent_abbr, is_home, player_id, player_name,
           slot <= 5 AND NOT dnp AS starter, dnp, minutes, ${BOX_COLUMNS}
    FROM player_lines
    ORDER BY game_date, game_id, team_abbr, slot`,
});
