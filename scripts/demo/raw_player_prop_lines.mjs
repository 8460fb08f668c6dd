#!/usr/bin/env node
// nba_raw.player_prop_lines: the consensus points line (over/under, American odds) per rotation
// player per upcoming game, captured the evening before; stands in for the odds scraper.
// Lines come from each player's expected scoring (skills and role), not from the game itself.
import { buildDates, writeRows } from './lib.mjs';
import { MODEL_SQL } from './model.mjs';

await writeRows({
  table: 'nba_raw.player_prop_lines',
  dates: buildDates(),
  setup: MODEL_SQL,
  ddl: `CREATE TABLE IF NOT EXISTS nba_raw.player_prop_lines (
          game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, player_name VARCHAR,
          team_abbr VARCHAR, opponent_abbr VARCHAR, market VARCHAR, line DOUBLE,
          over_price INTEGER, under_price INTEGER, captured_at TIMESTAMP)`,
  selectSql: `
    WITH games AS (
      SELECT game_id, season, game_date, home_team AS team_abbr, away_team AS opponent_abbr FROM nba_raw.schedule
      UNION ALL
      SELECT game_id, season, game_date, away_team, home_team FROM nba_raw.schedule
    ), expected AS (
      SELECT g.*, r.player_id, r.player_name,
             -- expected points = minutes x (FGA per minute x points per shot + FTA per minute x FT%)
             r.slot_minutes * (0.37 * r.usage_factor * ((1 - r.three_share) * 2 * 0.50 * r.shooting
                                                       + r.three_share * 3 * 0.355 * r.shooting)
                               + 0.09 * r.usage_factor * r.ft_tendency * r.ft_pct) AS expected_points,
             floor(u(g.game_id, r.player_id, 'price') * 21)::INTEGER - 10 AS shade   -- vig split, -10..10
      FROM games g JOIN roster r USING (team_abbr)
      WHERE g.game_date IN (SELECT game_date FROM build_dates) AND r.slot <= 9
    )
    SELECT game_id, season, game_date, player_id, player_name, team_abbr, opponent_abbr, 'points' AS market,
           floor(expected_points * (0.92 + 0.16 * u(game_id, player_id, 'line'))) + 0.5 AS line,
           -110 - shade AS over_price, -110 + shade AS under_price,
           game_date - INTERVAL 1 DAY + INTERVAL 18 HOUR AS captured_at
    FROM expected
    ORDER BY game_date, game_id, team_abbr, player_id`,
});
