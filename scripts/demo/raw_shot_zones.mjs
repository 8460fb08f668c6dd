#!/usr/bin/env node
// nba_raw.shot_zones: field-goal attempts and makes per player per game by zone (paint,
// mid-range, three), for players who played; stands in for the shot-chart scraper.
// Zone totals equal the box score's FGA/FGM and 3PA/3PM. Reads nba_raw.schedule.
import { buildDates, writeRows } from './lib.mjs';
import { MODEL_SQL } from './model.mjs';

await writeRows({
  table: 'nba_raw.shot_zones',
  dates: buildDates(),
  setup: MODEL_SQL,
  ddl: `CREATE TABLE IF NOT EXISTS nba_raw.shot_zones (
          game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
          player_id INTEGER, paint_fga INTEGER, paint_fgm INTEGER, mid_range_fga INTEGER,
          mid_range_fgm INTEGER, three_fga INTEGER, three_fgm INTEGER)`,
  selectSql: `
    SELECT game_id, season, game_date, team_abbr, opponent_abbr, player_id,
           paint_fga, paint_fgm, mid_fga, mid_fgm, three_fga, three_fgm
    FROM player_lines
    WHERE minutes > 0
    ORDER BY game_date, game_id, team_abbr, player_id`,
});
