-- nba_precompute.ml_feature_store_v2: one training/scoring row per player per game date: the
-- features of the precompute tables and the game context, all as of date d, plus the label
-- (the points actually scored on d, NULL until the game is played) from player_game_summary.
-- feature_vector holds the numeric features in the order of the feature_* columns.
CREATE SCHEMA IF NOT EXISTS nba_precompute;

CREATE TABLE IF NOT EXISTS nba_precompute.ml_feature_store_v2 (
  game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, team_abbr VARCHAR,
  opponent_abbr VARCHAR, feature_version VARCHAR,
  points_line DOUBLE, points_avg_last_5 DOUBLE, points_avg_last_10 DOUBLE,
  points_std_last_10 DOUBLE, minutes_avg_last_10 DOUBLE, usage_avg_last_10 DOUBLE,
  ts_pct_last_10 DOUBLE, paint_rate_last_20 DOUBLE, three_rate_last_20 DOUBLE,
  opp_paint_fg_pct_delta DOUBLE, opp_three_fg_pct_delta DOUBLE, is_home BOOLEAN,
  team_rest_days INTEGER, is_back_to_back BOOLEAN, opp_rest_days INTEGER,
  form_factor DOUBLE, fatigue_factor DOUBLE, zone_matchup_pct DOUBLE, projected_points DOUBLE,
  prop_edge DOUBLE, feature_vector DOUBLE[], actual_points INTEGER, actual_minutes DOUBLE,
  went_over BOOLEAN
);

DELETE FROM nba_precompute.ml_feature_store_v2 WHERE game_date IN (SELECT unnest(@dates));

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
    ON s.game_id = f.game_id AND s.player_id = f.player_id
  LEFT JOIN nba_precompute.team_defense_zone_analysis d
    ON d.game_id = f.game_id AND d.team_abbr = f.opponent_abbr
  JOIN nba_analytics.upcoming_team_game_context t
    ON t.game_id = f.game_id AND t.team_abbr = f.team_abbr
  WHERE f.game_date IN (SELECT unnest(@dates)) AND c.game_date IN (SELECT unnest(@dates))
    AND t.game_date IN (SELECT unnest(@dates))
)
SELECT x.*,
       [x.points_line, x.points_avg_last_5, x.points_avg_last_10, x.points_std_last_10,
        x.minutes_avg_last_10, x.usage_avg_last_10, x.ts_pct_last_10, x.paint_rate_last_20,
        x.three_rate_last_20, x.opp_paint_fg_pct_delta, x.opp_three_fg_pct_delta,
        x.is_home::DOUBLE, x.team_rest_days, x.is_back_to_back::DOUBLE, x.opp_rest_days,
        x.form_factor, x.fatigue_factor, x.zone_matchup_pct, x.projected_points,
        x.prop_edge]::DOUBLE[]                               AS feature_vector,
       g.points                                              AS actual_points,
       g.minutes                                             AS actual_minutes,
       g.points > x.points_line                              AS went_over
FROM features x
LEFT JOIN nba_analytics.player_game_summary g
  ON g.game_id = x.game_id AND g.player_id = x.player_id AND g.game_date IN (SELECT unnest(@dates));
