#!/usr/bin/env node
// nba_raw.team_boxscores: one row per team per game, the sum of its players' lines plus the
// opponent's points; stands in for the team box-score scraper. Reads nba_raw.schedule.
import { buildDates, writeRows } from './lib.mjs';
import { MODEL_SQL, BOX_COLUMNS } from './model.mjs';

await writeRows({
  table: 'nba_raw.team_boxscores',
  dates: buildDates(),
  setup: MODEL_SQL,
  ddl: `CREATE TABLE IF NOT EXISTS nba_raw.team_boxscores (
          game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
          is_home BOOLEAN, minutes DOUBLE, fga INTEGER, fgm INTEGER, fg3a INTEGER, fg3m INTEGER,
          fta INTEGER, ftm INTEGER, points INTEGER, oreb INTEGER, dreb INTEGER, rebounds INTEGER,
          assists INTEGER, turnovers INTEGER, opponent_points INTEGER, won BOOLEAN)`,
  selectSql: `
    WITH team AS (
      SELECT game_id, season, game_date, team_abbr, opponent_abbr, is_home,
             round(sum(minutes), 1) AS minutes, sum(fga)::INTEGER AS fga, sum(fgm)::INTEGER AS fgm,
             sum(fg3a)::INTEGER AS fg3a, sum(fg3m)::INTEGER AS fg3m, sum(fta)::INTEGER AS fta, sum(ftm)::INTEGER AS ftm,
             sum(points)::INTEGER AS points, sum(oreb)::INTEGER AS oreb, sum(dreb)::INTEGER AS dreb,
             sum(rebounds)::INTEGER AS rebounds, sum(assists)::INTEGER AS assists, sum(turnovers)::INTEGER AS turnovers
      FROM (SELECT game_id, season, game_date, team_abbr, opponent_abbr, is_home, minutes, ${BOX_COLUMNS} FROM player_lines)
      GROUP BY ALL
    )
    SELECT t.*, o.points AS opponent_points,
           -- a tie after regulation/overtime cannot happen: the home side wins a tied synthetic game
           t.points > o.points OR (t.points = o.points AND t.is_home) AS won
    FROM team t JOIN team o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr
    ORDER BY t.game_date, t.game_id, t.team_abbr`,
});
