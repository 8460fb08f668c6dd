-- nba_precompute.player_shot_zone_analysis: for each player with a game on date d, where his
-- shots come from and how well he converts them, over his last 10 and last 20 games in
-- d-45 .. d-1. Reads upcoming_player_game_context (d) and nba_raw.shot_zones (d-45 .. d-1).
-- Bootstrap: no rows for the first 14 days of a season.
--   zone rate = zone FGA / all FGA;  zone FG% = zone FGM / zone FGA (sums over the window)
CREATE SCHEMA IF NOT EXISTS nba_precompute;

CREATE TABLE IF NOT EXISTS nba_precompute.player_shot_zone_analysis (
  game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, team_abbr VARCHAR,
  opponent_abbr VARCHAR, games_in_sample INTEGER, fga_per_game_last_10 DOUBLE,
  paint_rate_last_10 DOUBLE, mid_range_rate_last_10 DOUBLE, three_rate_last_10 DOUBLE,
  paint_rate_last_20 DOUBLE, mid_range_rate_last_20 DOUBLE, three_rate_last_20 DOUBLE,
  paint_fg_pct_last_20 DOUBLE, mid_range_fg_pct_last_20 DOUBLE, three_fg_pct_last_20 DOUBLE,
  primary_zone VARCHAR
);

DELETE FROM nba_precompute.player_shot_zone_analysis WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_precompute.player_shot_zone_analysis
WITH players AS (
  SELECT game_id, season, game_date, player_id, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_player_game_context
  WHERE game_date IN (SELECT unnest(@dates))
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT p.game_date, p.season
  FROM (SELECT DISTINCT game_date, season FROM players) p
  JOIN nba_raw.shot_zones z
    ON z.season = p.season AND z.game_date BETWEEN p.game_date - 30 AND p.game_date - 14
), shots AS (                  -- the player's games in d-45 .. d-1, newest first
  SELECT p.game_id, p.player_id, z.*  EXCLUDE (game_id, player_id, season, team_abbr, opponent_abbr),
         z.paint_fga + z.mid_range_fga + z.three_fga AS fga,
         row_number() OVER (PARTITION BY p.game_id, p.player_id ORDER BY z.game_date DESC) AS games_ago
  FROM players p
  JOIN nba_raw.shot_zones z
    ON z.player_id = p.player_id AND z.game_date BETWEEN p.game_date - 45 AND p.game_date - 1
  WHERE z.game_date BETWEEN @start_date - 45 AND @end_date
), windows AS (
  SELECT game_id, player_id,
         count(*) FILTER (WHERE games_ago <= 20)::INTEGER AS games_in_sample,
         sum(fga)            FILTER (WHERE games_ago <= 10) AS fga_10,
         count(*)            FILTER (WHERE games_ago <= 10) AS games_10,
         sum(paint_fga)      FILTER (WHERE games_ago <= 10) AS paint_fga_10,
         sum(mid_range_fga)  FILTER (WHERE games_ago <= 10) AS mid_fga_10,
         sum(three_fga)      FILTER (WHERE games_ago <= 10) AS three_fga_10,
         sum(fga)            FILTER (WHERE games_ago <= 20) AS fga_20,
         sum(paint_fga)      FILTER (WHERE games_ago <= 20) AS paint_fga_20,
         sum(paint_fgm)      FILTER (WHERE games_ago <= 20) AS paint_fgm_20,
         sum(mid_range_fga)  FILTER (WHERE games_ago <= 20) AS mid_fga_20,
         sum(mid_range_fgm)  FILTER (WHERE games_ago <= 20) AS mid_fgm_20,
         sum(three_fga)      FILTER (WHERE games_ago <= 20) AS three_fga_20,
         sum(three_fgm)      FILTER (WHERE games_ago <= 20) AS three_fgm_20
  FROM shots
  GROUP BY ALL
)
SELECT p.game_id, p.season, p.game_date, p.player_id, p.team_abbr, p.opponent_abbr,
       coalesce(w.games_in_sample, 0)                 AS games_in_sample,
       w.fga_10 / nullif(w.games_10, 0)               AS fga_per_game_last_10,
       w.paint_fga_10 / nullif(w.fga_10, 0)           AS paint_rate_last_10,
       w.mid_fga_10 / nullif(w.fga_10, 0)             AS mid_range_rate_last_10,
       w.three_fga_10 / nullif(w.fga_10, 0)           AS three_rate_last_10,
       w.paint_fga_20 / nullif(w.fga_20, 0)           AS paint_rate_last_20,
       w.mid_fga_20 / nullif(w.fga_20, 0)             AS mid_range_rate_last_20,
       w.three_fga_20 / nullif(w.fga_20, 0)           AS three_rate_last_20,
       w.paint_fgm_20 / nullif(w.paint_fga_20, 0)     AS paint_fg_pct_last_20,
       w.mid_fgm_20 / nullif(w.mid_fga_20, 0)         AS mid_range_fg_pct_last_20,
       w.three_fgm_20 / nullif(w.three_fga_20, 0)     AS three_fg_pct_last_20,
       CASE WHEN w.fga_20 > 0 THEN
         CASE greatest(w.paint_fga_20, w.mid_fga_20, w.three_fga_20)
           WHEN w.paint_fga_20 THEN 'paint' WHEN w.three_fga_20 THEN 'three' ELSE 'mid_range' END
       END                                            AS primary_zone
FROM players p
JOIN in_season USING (game_date, season)
LEFT JOIN windows w ON w.game_id = p.game_id AND w.player_id = p.player_id;
