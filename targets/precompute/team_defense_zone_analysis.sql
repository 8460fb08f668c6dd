-- nba_precompute.team_defense_zone_analysis: for each team with a game on date d, how its
-- opponents shot against it by zone over its last 10 games in d-30 .. d-1, against the league
-- average of the same 30 days, and its average defensive rating over those games. Reads
-- upcoming_team_game_context (d), nba_raw.shot_zones and team_defense_game_summary
-- (d-30 .. d-1). Bootstrap: no rows for the first 14 days of a season.
--   zone FG% allowed = opponent zone FGM / opponent zone FGA;  delta = allowed - league
--   (a negative delta is good defense)
CREATE SCHEMA IF NOT EXISTS nba_precompute;

CREATE TABLE IF NOT EXISTS nba_precompute.team_defense_zone_analysis (
  game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
  games_in_sample INTEGER, opp_fga_per_game DOUBLE,
  paint_rate_allowed DOUBLE, mid_range_rate_allowed DOUBLE, three_rate_allowed DOUBLE,
  paint_fg_pct_allowed DOUBLE, mid_range_fg_pct_allowed DOUBLE, three_fg_pct_allowed DOUBLE,
  league_paint_fg_pct DOUBLE, league_mid_range_fg_pct DOUBLE, league_three_fg_pct DOUBLE,
  paint_fg_pct_delta DOUBLE, mid_range_fg_pct_delta DOUBLE, three_fg_pct_delta DOUBLE,
  recent_defensive_rating DOUBLE
);

DELETE FROM nba_precompute.team_defense_zone_analysis WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_precompute.team_defense_zone_analysis
WITH teams AS (
  SELECT game_id, season, game_date, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_team_game_context
  WHERE game_date IN (SELECT unnest(@dates))
), zones AS (                  -- shots taken against each defense, per game, d-30 .. d-1
  SELECT game_id, season, game_date, opponent_abbr AS defense_abbr,
         sum(paint_fga) AS paint_fga, sum(paint_fgm) AS paint_fgm,
         sum(mid_range_fga) AS mid_fga, sum(mid_range_fgm) AS mid_fgm,
         sum(three_fga) AS three_fga, sum(three_fgm) AS three_fgm
  FROM nba_raw.shot_zones
  WHERE game_date BETWEEN @start_date - 30 AND @end_date - 1
  GROUP BY ALL
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT t.game_date, t.season
  FROM (SELECT DISTINCT game_date, season FROM teams) t
  JOIN zones z ON z.season = t.season AND z.game_date BETWEEN t.game_date - 30 AND t.game_date - 14
), league AS (                 -- league-wide zone FG% over d-30 .. d-1
  SELECT d.game_date,
         sum(z.paint_fgm) / sum(z.paint_fga) AS paint_pct,
         sum(z.mid_fgm) / sum(z.mid_fga)     AS mid_pct,
         sum(z.three_fgm) / sum(z.three_fga) AS three_pct
  FROM in_season d
  JOIN zones z ON z.game_date BETWEEN d.game_date - 30 AND d.game_date - 1
  GROUP BY ALL
), recent AS (                 -- the defense's last 10 games in d-30 .. d-1
  SELECT t.game_id, t.team_abbr, z.* EXCLUDE (game_id, season),
         row_number() OVER (PARTITION BY t.game_id, t.team_abbr ORDER BY z.game_date DESC) AS games_ago
  FROM teams t
  JOIN zones z ON z.defense_abbr = t.team_abbr AND z.game_date BETWEEN t.game_date - 30 AND t.game_date - 1
  QUALIFY games_ago <= 10
), allowed AS (
  SELECT game_id, team_abbr, count(*)::INTEGER AS games,
         sum(paint_fga) AS paint_fga, sum(paint_fgm) AS paint_fgm, sum(mid_fga) AS mid_fga,
         sum(mid_fgm) AS mid_fgm, sum(three_fga) AS three_fga, sum(three_fgm) AS three_fgm,
         sum(paint_fga + mid_fga + three_fga) AS fga
  FROM recent
  GROUP BY ALL
), rating AS (                 -- points allowed per 100 possessions over d-30 .. d-1
  SELECT t.game_id, t.team_abbr, round(avg(r.defensive_rating), 2) AS recent_defensive_rating
  FROM teams t
  JOIN nba_analytics.team_defense_game_summary r
    ON r.team_abbr = t.team_abbr AND r.game_date BETWEEN t.game_date - 30 AND t.game_date - 1
  GROUP BY ALL
)
SELECT t.game_id, t.season, t.game_date, t.team_abbr, t.opponent_abbr,
       coalesce(a.games, 0)                             AS games_in_sample,
       a.fga / a.games                                  AS opp_fga_per_game,
       a.paint_fga / a.fga                              AS paint_rate_allowed,
       a.mid_fga / a.fga                                AS mid_range_rate_allowed,
       a.three_fga / a.fga                              AS three_rate_allowed,
       a.paint_fgm / a.paint_fga                        AS paint_fg_pct_allowed,
       a.mid_fgm / a.mid_fga                            AS mid_range_fg_pct_allowed,
       a.three_fgm / a.three_fga                        AS three_fg_pct_allowed,
       l.paint_pct                                      AS league_paint_fg_pct,
       l.mid_pct                                        AS league_mid_range_fg_pct,
       l.three_pct                                      AS league_three_fg_pct,
       a.paint_fgm / a.paint_fga - l.paint_pct          AS paint_fg_pct_delta,
       a.mid_fgm / a.mid_fga - l.mid_pct                AS mid_range_fg_pct_delta,
       a.three_fgm / a.three_fga - l.three_pct          AS three_fg_pct_delta,
       r.recent_defensive_rating
FROM teams t
JOIN in_season USING (game_date, season)
JOIN league l USING (game_date)
LEFT JOIN allowed a ON a.game_id = t.game_id AND a.team_abbr = t.team_abbr
LEFT JOIN rating r ON r.game_id = t.game_id AND r.team_abbr = t.team_abbr;
