-- nba_precompute.team_defense_zone_analysis (BigQuery): for each team with a game on date d, how
-- its opponents shot against it by zone over its last 10 games in d-30 .. d-1, against the
-- league average of the same 30 days, and its average defensive rating over those games. Reads
-- upcoming_team_game_context (d), nba_raw.shot_zones and team_defense_game_summary
-- (d-30 .. d-1). Bootstrap: no rows for the first 14 days of a season.
--   zone FG% allowed = opponent zone FGM / opponent zone FGA;  delta = allowed - league
--   (a negative delta is good defense)
CREATE TABLE IF NOT EXISTS nba_precompute.team_defense_zone_analysis (
  game_id STRING, season STRING, game_date DATE, team_abbr STRING, opponent_abbr STRING,
  games_in_sample INT64, opp_fga_per_game FLOAT64,
  paint_rate_allowed FLOAT64, mid_range_rate_allowed FLOAT64, three_rate_allowed FLOAT64,
  paint_fg_pct_allowed FLOAT64, mid_range_fg_pct_allowed FLOAT64, three_fg_pct_allowed FLOAT64,
  league_paint_fg_pct FLOAT64, league_mid_range_fg_pct FLOAT64, league_three_fg_pct FLOAT64,
  paint_fg_pct_delta FLOAT64, mid_range_fg_pct_delta FLOAT64, three_fg_pct_delta FLOAT64,
  recent_defensive_rating FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr;

DELETE FROM nba_precompute.team_defense_zone_analysis WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_precompute.team_defense_zone_analysis
WITH teams AS (
  SELECT game_id, season, game_date, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_team_game_context
  WHERE game_date IN UNNEST(@dates)
), zones AS (                  -- shots taken against each defense, per game, d-30 .. d-1
  SELECT game_id, season, game_date, opponent_abbr AS defense_abbr,
         SUM(paint_fga) AS paint_fga, SUM(paint_fgm) AS paint_fgm,
         SUM(mid_range_fga) AS mid_fga, SUM(mid_range_fgm) AS mid_fgm,
         SUM(three_fga) AS three_fga, SUM(three_fgm) AS three_fgm
  FROM nba_raw.shot_zones
  WHERE game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND DATE_SUB(@end_date, INTERVAL 1 DAY)
  GROUP BY game_id, season, game_date, opponent_abbr
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT t.game_date, t.season
  FROM (SELECT DISTINCT game_date, season FROM teams) t
  JOIN zones z
    ON z.season = t.season
   AND z.game_date BETWEEN DATE_SUB(t.game_date, INTERVAL 30 DAY) AND DATE_SUB(t.game_date, INTERVAL 14 DAY)
), league AS (                 -- league-wide zone FG% over d-30 .. d-1
  SELECT d.game_date,
         SAFE_DIVIDE(SUM(z.paint_fgm), SUM(z.paint_fga)) AS paint_pct,
         SAFE_DIVIDE(SUM(z.mid_fgm), SUM(z.mid_fga))     AS mid_pct,
         SAFE_DIVIDE(SUM(z.three_fgm), SUM(z.three_fga)) AS three_pct
  FROM in_season d
  JOIN zones z
    ON z.game_date BETWEEN DATE_SUB(d.game_date, INTERVAL 30 DAY) AND DATE_SUB(d.game_date, INTERVAL 1 DAY)
  GROUP BY d.game_date
), recent AS (                 -- the defense's last 10 games in d-30 .. d-1
  SELECT t.game_id, t.team_abbr, z.* EXCEPT (game_id, season),
         ROW_NUMBER() OVER (PARTITION BY t.game_id, t.team_abbr ORDER BY z.game_date DESC) AS games_ago
  FROM teams t
  JOIN zones z
    ON z.defense_abbr = t.team_abbr
   AND z.game_date BETWEEN DATE_SUB(t.game_date, INTERVAL 30 DAY) AND DATE_SUB(t.game_date, INTERVAL 1 DAY)
  WHERE z.game_date < t.game_date   -- (implied by the join; BigQuery wants a WHERE beside QUALIFY)
  QUALIFY games_ago <= 10
), allowed AS (
  SELECT game_id, team_abbr, COUNT(*) AS games,
         SUM(paint_fga) AS paint_fga, SUM(paint_fgm) AS paint_fgm, SUM(mid_fga) AS mid_fga,
         SUM(mid_fgm) AS mid_fgm, SUM(three_fga) AS three_fga, SUM(three_fgm) AS three_fgm,
         SUM(paint_fga + mid_fga + three_fga) AS fga
  FROM recent
  GROUP BY game_id, team_abbr
), rating AS (                 -- points allowed per 100 possessions over d-30 .. d-1
  SELECT t.game_id, t.team_abbr, ROUND(AVG(r.defensive_rating), 2) AS recent_defensive_rating
  FROM teams t
  JOIN nba_analytics.team_defense_game_summary r
    ON r.team_abbr = t.team_abbr
   AND r.game_date BETWEEN DATE_SUB(t.game_date, INTERVAL 30 DAY) AND DATE_SUB(t.game_date, INTERVAL 1 DAY)
  WHERE r.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date
  GROUP BY t.game_id, t.team_abbr
)
SELECT t.game_id, t.season, t.game_date, t.team_abbr, t.opponent_abbr,
       COALESCE(a.games, 0)                                        AS games_in_sample,
       SAFE_DIVIDE(a.fga, a.games)                                 AS opp_fga_per_game,
       SAFE_DIVIDE(a.paint_fga, a.fga)                             AS paint_rate_allowed,
       SAFE_DIVIDE(a.mid_fga, a.fga)                               AS mid_range_rate_allowed,
       SAFE_DIVIDE(a.three_fga, a.fga)                             AS three_rate_allowed,
       SAFE_DIVIDE(a.paint_fgm, a.paint_fga)                       AS paint_fg_pct_allowed,
       SAFE_DIVIDE(a.mid_fgm, a.mid_fga)                           AS mid_range_fg_pct_allowed,
       SAFE_DIVIDE(a.three_fgm, a.three_fga)                       AS three_fg_pct_allowed,
       l.paint_pct                                                 AS league_paint_fg_pct,
       l.mid_pct                                                   AS league_mid_range_fg_pct,
       l.three_pct                                                 AS league_three_fg_pct,
       SAFE_DIVIDE(a.paint_fgm, a.paint_fga) - l.paint_pct         AS paint_fg_pct_delta,
       SAFE_DIVIDE(a.mid_fgm, a.mid_fga) - l.mid_pct               AS mid_range_fg_pct_delta,
       SAFE_DIVIDE(a.three_fgm, a.three_fga) - l.three_pct         AS three_fg_pct_delta,
       r.recent_defensive_rating
FROM teams t
JOIN in_season USING (game_date, season)
JOIN league l USING (game_date)
LEFT JOIN allowed a ON a.game_id = t.game_id AND a.team_abbr = t.team_abbr
LEFT JOIN rating r ON r.game_id = t.game_id AND r.team_abbr = t.team_abbr;
