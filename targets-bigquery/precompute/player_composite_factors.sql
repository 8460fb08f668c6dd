-- nba_precompute.player_composite_factors (BigQuery): per player with a game on date d, the
-- adjustment factors a points model uses, from the precompute_1 tables and the game context
-- (all date d).
--   form_factor       = (pts avg last 5 - pts avg last 10) / pts std dev last 10   (hot/cold)
--   usage_trend       = usage avg last 5 - usage avg last 10
--   fatigue_factor    = -1 on a back-to-back, +0.5 with 2+ rest days, else 0,
--                       minus 0.25 per team game beyond 3 in the last 7 days
--   zone_matchup_pct  = sum over zones of (player's zone rate x opponent's FG% delta allowed), in
--                       FG percentage points (positive: the opponent concedes his shots)
--   matchup_points    = FGA per game x sum over zones of (zone rate x FG% delta x points per make)
--   projected_points  = 0.6 x avg last 5 + 0.4 x avg last 10 + matchup_points + 0.5 x fatigue
--   prop_edge         = projected_points - points line
-- One range per date, 15 at once (the seed's 15 workers): each is DELETE + INSERT in one
-- transaction; BigQuery aborts those that overlap on this table and dagrun retries them.
CREATE TABLE IF NOT EXISTS nba_precompute.player_composite_factors (
  game_id STRING, season STRING, game_date DATE, player_id INT64, team_abbr STRING,
  opponent_abbr STRING, form_factor FLOAT64, usage_trend FLOAT64, fatigue_factor FLOAT64,
  zone_matchup_pct FLOAT64, matchup_points FLOAT64, projected_points FLOAT64, points_line FLOAT64,
  prop_edge FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_precompute.player_composite_factors WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_precompute.player_composite_factors
WITH factors AS (
  SELECT c.game_id, c.season, c.game_date, c.player_id, c.team_abbr, c.opponent_abbr,
         SAFE_DIVIDE(c.points_avg_last_5 - c.points_avg_last_10, c.points_std_last_10) AS form_factor,
         c.usage_avg_last_5 - c.usage_avg_last_10                                      AS usage_trend,
         CASE WHEN u.is_back_to_back THEN -1.0 WHEN u.team_rest_days >= 2 THEN 0.5 ELSE 0.0 END
           - 0.25 * GREATEST(u.team_games_last_7_days - 3, 0)                          AS fatigue_factor,
         100 * (s.paint_rate_last_20 * d.paint_fg_pct_delta
                + s.mid_range_rate_last_20 * d.mid_range_fg_pct_delta
                + s.three_rate_last_20 * d.three_fg_pct_delta)                         AS zone_matchup_pct,
         s.fga_per_game_last_10 * (2 * s.paint_rate_last_20 * d.paint_fg_pct_delta
                                   + 2 * s.mid_range_rate_last_20 * d.mid_range_fg_pct_delta
                                   + 3 * s.three_rate_last_20 * d.three_fg_pct_delta)  AS matchup_points,
         c.points_avg_last_5, c.points_avg_last_10, u.points_line
  FROM nba_precompute.player_daily_cache c
  JOIN nba_analytics.upcoming_player_game_context u
    ON u.game_id = c.game_id AND u.player_id = c.player_id
  LEFT JOIN nba_precompute.player_shot_zone_analysis s
    ON s.game_id = c.game_id AND s.player_id = c.player_id AND s.game_date IN UNNEST(@dates)
  LEFT JOIN nba_precompute.team_defense_zone_analysis d   -- the opponent's defense
    ON d.game_id = c.game_id AND d.team_abbr = c.opponent_abbr AND d.game_date IN UNNEST(@dates)
  WHERE c.game_date IN UNNEST(@dates)
    AND u.game_date IN UNNEST(@dates)
)
SELECT game_id, season, game_date, player_id, team_abbr, opponent_abbr,
       form_factor, usage_trend, fatigue_factor, zone_matchup_pct, matchup_points,
       0.6 * points_avg_last_5 + 0.4 * points_avg_last_10 + COALESCE(matchup_points, 0)
         + 0.5 * fatigue_factor                                             AS projected_points,
       points_line,
       0.6 * points_avg_last_5 + 0.4 * points_avg_last_10 + COALESCE(matchup_points, 0)
         + 0.5 * fatigue_factor - points_line                               AS prop_edge
FROM factors;
