-- nba_precompute.player_shot_zone_analysis (BigQuery): for each player with a game on date d,
-- where his shots come from and how well he converts them, over his last 10 and last 20 games
-- in d-45 .. d-1. Reads upcoming_player_game_context (d) and nba_raw.shot_zones (d-45 .. d-1).
-- Bootstrap: no rows for the first 14 days of a season.
--   zone rate = zone FGA / all FGA;  zone FG% = zone FGM / zone FGA (sums over the window)
CREATE TABLE IF NOT EXISTS nba_precompute.player_shot_zone_analysis (
  game_id STRING, season STRING, game_date DATE, player_id INT64, team_abbr STRING,
  opponent_abbr STRING, games_in_sample INT64, fga_per_game_last_10 FLOAT64,
  paint_rate_last_10 FLOAT64, mid_range_rate_last_10 FLOAT64, three_rate_last_10 FLOAT64,
  paint_rate_last_20 FLOAT64, mid_range_rate_last_20 FLOAT64, three_rate_last_20 FLOAT64,
  paint_fg_pct_last_20 FLOAT64, mid_range_fg_pct_last_20 FLOAT64, three_fg_pct_last_20 FLOAT64,
  primary_zone STRING
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_precompute.player_shot_zone_analysis WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_precompute.player_shot_zone_analysis
WITH players AS (
  SELECT game_id, season, game_date, player_id, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_player_game_context
  WHERE game_date IN UNNEST(@dates)
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT p.game_date, p.season
  FROM (SELECT DISTINCT game_date, season FROM players) p
  JOIN nba_raw.shot_zones z
    ON z.season = p.season
   AND z.game_date BETWEEN DATE_SUB(p.game_date, INTERVAL 30 DAY) AND DATE_SUB(p.game_date, INTERVAL 14 DAY)
  WHERE z.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date
), shots AS (                  -- the player's games in d-45 .. d-1, newest first
  SELECT p.game_id, p.player_id,
         z.* EXCEPT (game_id, player_id, season, team_abbr, opponent_abbr),
         z.paint_fga + z.mid_range_fga + z.three_fga AS fga,
         ROW_NUMBER() OVER (PARTITION BY p.game_id, p.player_id ORDER BY z.game_date DESC) AS games_ago
  FROM players p
  JOIN nba_raw.shot_zones z
    ON z.player_id = p.player_id
   AND z.game_date BETWEEN DATE_SUB(p.game_date, INTERVAL 45 DAY) AND DATE_SUB(p.game_date, INTERVAL 1 DAY)
  WHERE z.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 45 DAY) AND @end_date
), windows AS (
  SELECT game_id, player_id,
         COUNTIF(games_ago <= 20)                          AS games_in_sample,
         SUM(IF(games_ago <= 10, fga, NULL))               AS fga_10,
         COUNTIF(games_ago <= 10)                          AS games_10,
         SUM(IF(games_ago <= 10, paint_fga, NULL))         AS paint_fga_10,
         SUM(IF(games_ago <= 10, mid_range_fga, NULL))     AS mid_fga_10,
         SUM(IF(games_ago <= 10, three_fga, NULL))         AS three_fga_10,
         SUM(IF(games_ago <= 20, fga, NULL))               AS fga_20,
         SUM(IF(games_ago <= 20, paint_fga, NULL))         AS paint_fga_20,
         SUM(IF(games_ago <= 20, paint_fgm, NULL))         AS paint_fgm_20,
         SUM(IF(games_ago <= 20, mid_range_fga, NULL))     AS mid_fga_20,
         SUM(IF(games_ago <= 20, mid_range_fgm, NULL))     AS mid_fgm_20,
         SUM(IF(games_ago <= 20, three_fga, NULL))         AS three_fga_20,
         SUM(IF(games_ago <= 20, three_fgm, NULL))         AS three_fgm_20
  FROM shots
  GROUP BY game_id, player_id
)
SELECT p.game_id, p.season, p.game_date, p.player_id, p.team_abbr, p.opponent_abbr,
       COALESCE(w.games_in_sample, 0)                 AS games_in_sample,
       SAFE_DIVIDE(w.fga_10, w.games_10)              AS fga_per_game_last_10,
       SAFE_DIVIDE(w.paint_fga_10, w.fga_10)          AS paint_rate_last_10,
       SAFE_DIVIDE(w.mid_fga_10, w.fga_10)            AS mid_range_rate_last_10,
       SAFE_DIVIDE(w.three_fga_10, w.fga_10)          AS three_rate_last_10,
       SAFE_DIVIDE(w.paint_fga_20, w.fga_20)          AS paint_rate_last_20,
       SAFE_DIVIDE(w.mid_fga_20, w.fga_20)            AS mid_range_rate_last_20,
       SAFE_DIVIDE(w.three_fga_20, w.fga_20)          AS three_rate_last_20,
       SAFE_DIVIDE(w.paint_fgm_20, w.paint_fga_20)    AS paint_fg_pct_last_20,
       SAFE_DIVIDE(w.mid_fgm_20, w.mid_fga_20)        AS mid_range_fg_pct_last_20,
       SAFE_DIVIDE(w.three_fgm_20, w.three_fga_20)    AS three_fg_pct_last_20,
       IF(w.fga_20 > 0,
          CASE GREATEST(w.paint_fga_20, w.mid_fga_20, w.three_fga_20)
            WHEN w.paint_fga_20 THEN 'paint' WHEN w.three_fga_20 THEN 'three' ELSE 'mid_range' END,
          NULL)                                       AS primary_zone
FROM players p
JOIN in_season USING (game_date, season)
LEFT JOIN windows w ON w.game_id = p.game_id AND w.player_id = p.player_id;
