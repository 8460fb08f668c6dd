-- nba_precompute.ml_feature_store_v2 (BigQuery): one training/scoring row per player per game
-- date: the features of the precompute tables and the game context, all as of date d, plus the
-- label (the points actually scored on d, NULL until the game is played) from player_game_summary.
-- feature_vector holds the numeric features in the order of the feature_* columns. BigQuery
-- arrays cannot hold NULL, so a missing feature is NaN in the vector (its column stays NULL).
CREATE TABLE IF NOT EXISTS nba_precompute.ml_feature_store_v2 (
  game_id STRING, season STRING, game_date DATE, player_id INT64, team_abbr STRING,
  opponent_abbr STRING, feature_version STRING,
  points_line FLOAT64, points_avg_last_5 FLOAT64, points_avg_last_10 FLOAT64,
  points_std_last_10 FLOAT64, minutes_avg_last_10 FLOAT64, usage_avg_last_10 FLOAT64,
  ts_pct_last_10 FLOAT64, paint_rate_last_20 FLOAT64, three_rate_last_20 FLOAT64,
  opp_paint_fg_pct_delta FLOAT64, opp_three_fg_pct_delta FLOAT64, is_home BOOL,
  team_rest_days INT64, is_back_to_back BOOL, opp_rest_days INT64,
  form_factor FLOAT64, fatigue_factor FLOAT64, zone_matchup_pct FLOAT64, projected_points FLOAT64,
  prop_edge FLOAT64, feature_vector ARRAY<FLOAT64>, actual_points INT64, actual_minutes FLOAT64,
  went_over BOOL
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_precompute.ml_feature_store_v2 WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_precompute.ml_feature_store_v2
WITH features AS (
  SELECT f.game_id, f.season, f.game_date, f.player_id, f.team_abbr, f.opponent_abbr,
         'v2'                        AS feature_version,
         f.points_line,
         c.points_avg_last_5, c.points_avg_last_10, c.points_std_last_10,
         c.minutes_avg_last_10, c.usage_avg_last_10, c.ts_pct_last_10,
         s.paint_rate_last_20, s.three_rate_last_20,
         d.paint_fg_pct_delta        AS opp_paint_fg_pct_delta,
         d.three_fg_pct_delta        AS opp_three_fg_pct_delta,
         t.is_home, t.rest_days      AS team_rest_days, t.is_back_to_back, t.opp_rest_days,
         f.form_factor, f.fatigue_factor, f.zone_matchup_pct, f.projected_points, f.prop_edge
  FROM nba_precompute.player_composite_factors f
  JOIN nba_precompute.player_daily_cache c
    ON c.game_id = f.game_id AND c.player_id = f.player_id
  LEFT JOIN nba_precompute.player_shot_zone_analysis s
    ON s.game_id = f.game_id AND s.player_id = f.player_id AND s.game_date IN UNNEST(@dates)
  LEFT JOIN nba_precompute.team_defense_zone_analysis d
    ON d.game_id = f.game_id AND d.team_abbr = f.opponent_abbr AND d.game_date IN UNNEST(@dates)
  JOIN nba_analytics.upcoming_team_game_context t
    ON t.game_id = f.game_id AND t.team_abbr = f.team_abbr
  WHERE f.game_date IN UNNEST(@dates) AND c.game_date IN UNNEST(@dates)
    AND t.game_date IN UNNEST(@dates)
)
SELECT x.*,
       [IFNULL(x.points_line, nan), IFNULL(x.points_avg_last_5, nan), IFNULL(x.points_avg_last_10, nan),
        IFNULL(x.points_std_last_10, nan), IFNULL(x.minutes_avg_last_10, nan), IFNULL(x.usage_avg_last_10, nan),
        IFNULL(x.ts_pct_last_10, nan), IFNULL(x.paint_rate_last_20, nan), IFNULL(x.three_rate_last_20, nan),
        IFNULL(x.opp_paint_fg_pct_delta, nan), IFNULL(x.opp_three_fg_pct_delta, nan),
        IF(x.is_home, 1.0, 0.0), IFNULL(CAST(x.team_rest_days AS FLOAT64), nan),
        IF(x.is_back_to_back, 1.0, 0.0), IFNULL(CAST(x.opp_rest_days AS FLOAT64), nan),
        IFNULL(x.form_factor, nan), IFNULL(x.fatigue_factor, nan), IFNULL(x.zone_matchup_pct, nan),
        IFNULL(x.projected_points, nan), IFNULL(x.prop_edge, nan)]  AS feature_vector,
       g.points                                              AS actual_points,
       g.minutes                                             AS actual_minutes,
       g.points > x.points_line                              AS went_over
FROM features x
CROSS JOIN (SELECT CAST('NaN' AS FLOAT64) AS nan)            -- what a missing feature is in the vector
LEFT JOIN nba_analytics.player_game_summary g
  ON g.game_id = x.game_id AND g.player_id = x.player_id AND g.game_date IN UNNEST(@dates);
