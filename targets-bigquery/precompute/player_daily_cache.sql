-- nba_precompute.player_daily_cache (BigQuery): for each player with a game on date d, rolling
-- averages over his last 5 and last 10 games played in d-30 .. d-1. Reads
-- upcoming_player_game_context (d) and nba_analytics.player_game_summary (d-30 .. d-1).
-- Bootstrap: no rows for the first 14 days of a season (too little history).
CREATE TABLE IF NOT EXISTS nba_precompute.player_daily_cache (
  game_id STRING, season STRING, game_date DATE, player_id INT64, player_name STRING,
  team_abbr STRING, opponent_abbr STRING, games_last_30_days INT64, last_played_date DATE,
  points_avg_last_5 FLOAT64, points_avg_last_10 FLOAT64, points_std_last_10 FLOAT64,
  minutes_avg_last_5 FLOAT64, minutes_avg_last_10 FLOAT64, usage_avg_last_5 FLOAT64,
  usage_avg_last_10 FLOAT64, ts_pct_last_10 FLOAT64, rebounds_avg_last_10 FLOAT64,
  assists_avg_last_10 FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_precompute.player_daily_cache WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_precompute.player_daily_cache
WITH players AS (              -- who plays on d
  SELECT game_id, season, game_date, player_id, player_name, team_abbr, opponent_abbr
  FROM nba_analytics.upcoming_player_game_context
  WHERE game_date IN UNNEST(@dates)
), in_season AS (              -- d is at least 14 days into its season
  SELECT DISTINCT p.game_date, p.season
  FROM (SELECT DISTINCT game_date, season FROM players) p
  JOIN nba_analytics.player_game_summary h
    ON h.season = p.season
   AND h.game_date BETWEEN DATE_SUB(p.game_date, INTERVAL 30 DAY) AND DATE_SUB(p.game_date, INTERVAL 14 DAY)
  WHERE h.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date
), history AS (                -- games played in d-30 .. d-1, newest first
  SELECT p.game_id, p.player_id, h.game_date, h.minutes, h.points, h.fga, h.fta, h.usage_rate,
         h.rebounds, h.assists,
         ROW_NUMBER() OVER (PARTITION BY p.game_id, p.player_id ORDER BY h.game_date DESC) AS games_ago
  FROM players p
  JOIN nba_analytics.player_game_summary h
    ON h.player_id = p.player_id
   AND h.game_date BETWEEN DATE_SUB(p.game_date, INTERVAL 30 DAY) AND DATE_SUB(p.game_date, INTERVAL 1 DAY)
  WHERE h.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date AND h.minutes > 0
)
SELECT p.game_id, p.season, p.game_date, p.player_id, p.player_name, p.team_abbr, p.opponent_abbr,
       COUNT(h.game_date)                                                      AS games_last_30_days,
       MAX(h.game_date)                                                        AS last_played_date,
       ROUND(AVG(IF(h.games_ago <= 5, h.points, NULL)), 3)                     AS points_avg_last_5,
       ROUND(AVG(IF(h.games_ago <= 10, h.points, NULL)), 3)                    AS points_avg_last_10,
       ROUND(STDDEV_SAMP(IF(h.games_ago <= 10, h.points, NULL)), 3)            AS points_std_last_10,
       ROUND(AVG(IF(h.games_ago <= 5, h.minutes, NULL)), 3)                    AS minutes_avg_last_5,
       ROUND(AVG(IF(h.games_ago <= 10, h.minutes, NULL)), 3)                   AS minutes_avg_last_10,
       ROUND(AVG(IF(h.games_ago <= 5, h.usage_rate, NULL)), 3)                 AS usage_avg_last_5,
       ROUND(AVG(IF(h.games_ago <= 10, h.usage_rate, NULL)), 3)                AS usage_avg_last_10,
       ROUND(SAFE_DIVIDE(SUM(IF(h.games_ago <= 10, h.points, NULL)),
                         2 * SUM(IF(h.games_ago <= 10, h.fga + 0.44 * h.fta, NULL))), 4) AS ts_pct_last_10,
       ROUND(AVG(IF(h.games_ago <= 10, h.rebounds, NULL)), 3)                  AS rebounds_avg_last_10,
       ROUND(AVG(IF(h.games_ago <= 10, h.assists, NULL)), 3)                   AS assists_avg_last_10
FROM players p
JOIN in_season USING (game_date, season)
LEFT JOIN history h ON h.game_id = p.game_id AND h.player_id = p.player_id
GROUP BY p.game_id, p.season, p.game_date, p.player_id, p.player_name, p.team_abbr, p.opponent_abbr;
