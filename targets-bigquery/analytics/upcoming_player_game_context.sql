-- nba_analytics.upcoming_player_game_context (BigQuery): one row per player with a points line
-- for a game, what is known before tip-off: the line, the team's rest, and the player's recent
-- form. Reads the same date of nba_raw.player_prop_lines and upcoming_team_game_context, and
-- nba_raw.player_boxscores of dates d-30 .. d-1 (games the player actually played).
--   points_avg_last_5 / minutes_avg_last_5: the player's last 5 games played in the 30 days
--   form_vs_line = points_avg_last_5 - points line
CREATE TABLE IF NOT EXISTS nba_analytics.upcoming_player_game_context (
  game_id STRING, season STRING, game_date DATE, player_id INT64, player_name STRING,
  team_abbr STRING, opponent_abbr STRING, is_home BOOL, points_line FLOAT64,
  over_price INT64, under_price INT64, team_rest_days INT64, is_back_to_back BOOL,
  team_games_last_7_days INT64, opp_is_back_to_back BOOL, games_played_last_30_days INT64,
  days_since_last_played INT64, points_avg_last_5 FLOAT64, minutes_avg_last_5 FLOAT64,
  form_vs_line FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_analytics.upcoming_player_game_context WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_analytics.upcoming_player_game_context
WITH lines AS (
  SELECT * FROM nba_raw.player_prop_lines
  WHERE game_date IN UNNEST(@dates) AND market = 'points'
), recent AS (                 -- the player's games played in d-30 .. d-1, newest first
  SELECT l.game_id, l.player_id, b.game_date, b.points, b.minutes,
         ROW_NUMBER() OVER (PARTITION BY l.game_id, l.player_id ORDER BY b.game_date DESC) AS games_ago
  FROM lines l
  JOIN nba_raw.player_boxscores b
    ON b.player_id = l.player_id
   AND b.game_date BETWEEN DATE_SUB(l.game_date, INTERVAL 30 DAY) AND DATE_SUB(l.game_date, INTERVAL 1 DAY)
  WHERE b.game_date BETWEEN DATE_SUB(@start_date, INTERVAL 30 DAY) AND @end_date AND b.minutes > 0
), form AS (
  SELECT game_id, player_id,
         COUNT(*)                                           AS games_played_last_30_days,
         MAX(game_date)                                     AS last_played_date,
         ROUND(AVG(IF(games_ago <= 5, points, NULL)), 2)    AS points_avg_last_5,
         ROUND(AVG(IF(games_ago <= 5, minutes, NULL)), 2)   AS minutes_avg_last_5
  FROM recent
  GROUP BY game_id, player_id
)
SELECT l.game_id, l.season, l.game_date, l.player_id, l.player_name, l.team_abbr, l.opponent_abbr,
       t.is_home, l.line AS points_line, l.over_price, l.under_price,
       t.rest_days AS team_rest_days, t.is_back_to_back, t.games_last_7_days AS team_games_last_7_days,
       t.opp_is_back_to_back,
       COALESCE(f.games_played_last_30_days, 0)            AS games_played_last_30_days,
       DATE_DIFF(l.game_date, f.last_played_date, DAY)     AS days_since_last_played,
       f.points_avg_last_5, f.minutes_avg_last_5,
       f.points_avg_last_5 - l.line                        AS form_vs_line
FROM lines l
JOIN nba_analytics.upcoming_team_game_context t
  ON t.game_id = l.game_id AND t.team_abbr = l.team_abbr AND t.game_date IN UNNEST(@dates)
LEFT JOIN form f ON f.game_id = l.game_id AND f.player_id = l.player_id;
