-- nba_precompute.player_daily_cache: for each player with a game on date d, rolling averages
-- over his last 5 / 10 games played in d-30 .. d-1 (nothing from d itself: it is computed
-- before tip-off). Reads upcoming_player_game_context (d) and player_game_summary (d-30 .. d-1).
-- Bootstrap: no rows for the first 14 days of a season (a date is built only when its season
-- already had a game on d-30 .. d-14).
--   ts_pct_last_10 = sum(PTS) / (2 * sum(FGA + 0.44 * FTA)) over the last 10 games
-- Averages are rounded (3 decimals) so that a rebuild gives identical rows whatever the
-- summation order of the parallel aggregation.
CREATE SCHEMA IF NOT EXISTS nba_precompute;

CREATE TABLE IF NOT EXISTS nba_precompute.player_daily_cache (
  game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, player_name VARCHAR,
  team_abbr VARCHAR, opponent_abbr VARCHAR, games_last_30_days INTEGER, last_played_date DATE,
  points_avg_last_5 DOUBLE, points_avg_last_10 DOUBLE, points_std_last_10 DOUBLE,
  minutes_avg_last_5 DOUBLE, minutes_avg_last_10 DOUBLE, usage_avg_last_5 DOUBLE,
  usage_avg_last_10 DOUBLE, ts_pct_last_10 DOUBLE, rebounds_avg_last_10 DOUBLE,
  assists_avg_last_10 DOUBLE
);

DELETE FROM nba_precompute.player_daily_cache WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_precompute.player_daily_cache
WITH players AS (              -- who plays on d
  SELECT game_id, season, game_date, player_id, player_name, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_player_game_context
  WHERE game_date IN (SELECT unnest(@dates))
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT p.game_date, p.season
  FROM (SELECT DISTINCT game_date, season FROM players) p
  JOIN nba_analytics.player_game_summary h
    ON h.season = p.season AND h.game_date BETWEEN p.game_date - 30 AND p.game_date - 14
), history AS (                -- games played in d-30 .. d-1, newest first
  SELECT p.game_id, p.player_id, h.game_date, h.minutes, h.points, h.fga, h.fta, h.usage_rate,
         h.rebounds, h.assists,
         row_number() OVER (PARTITION BY p.game_id, p.player_id ORDER BY h.game_date DESC) AS games_ago
  FROM players p
  JOIN nba_analytics.player_game_summary h
    ON h.player_id = p.player_id AND h.game_date BETWEEN p.game_date - 30 AND p.game_date - 1
  WHERE h.game_date BETWEEN @start_date - 30 AND @end_date AND h.minutes > 0
)
SELECT p.game_id, p.season, p.game_date, p.player_id, p.player_name, p.team_abbr, p.opponent_abbr,
       count(h.game_date)::INTEGER                                        AS games_last_30_days,
       max(h.game_date)                                                   AS last_played_date,
       round(avg(h.points)        FILTER (WHERE h.games_ago <= 5), 3)   AS points_avg_last_5,
       round(avg(h.points)        FILTER (WHERE h.games_ago <= 10), 3)  AS points_avg_last_10,
       round(stddev_samp(h.points) FILTER (WHERE h.games_ago <= 10), 3) AS points_std_last_10,
       round(avg(h.minutes)       FILTER (WHERE h.games_ago <= 5), 3)   AS minutes_avg_last_5,
       round(avg(h.minutes)       FILTER (WHERE h.games_ago <= 10), 3)  AS minutes_avg_last_10,
       round(avg(h.usage_rate)    FILTER (WHERE h.games_ago <= 5), 3)   AS usage_avg_last_5,
       round(avg(h.usage_rate)    FILTER (WHERE h.games_ago <= 10), 3)  AS usage_avg_last_10,
       round(sum(h.points) FILTER (WHERE h.games_ago <= 10)
         / nullif(2 * sum(h.fga + 0.44 * h.fta) FILTER (WHERE h.games_ago <= 10), 0), 4) AS ts_pct_last_10,
       round(avg(h.rebounds)      FILTER (WHERE h.games_ago <= 10), 3)  AS rebounds_avg_last_10,
       round(avg(h.assists)       FILTER (WHERE h.games_ago <= 10), 3)  AS assists_avg_last_10
FROM players p
JOIN in_season USING (game_date, season)
LEFT JOIN history h ON h.game_id = p.game_id AND h.player_id = p.player_id
GROUP BY ALL;
