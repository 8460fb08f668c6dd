-- nba_analytics.upcoming_player_game_context: one row per player with a points line for a game,
-- what is known before tip-off: the line, the team's rest, and the player's recent form.
-- Reads the same date of nba_raw.player_prop_lines and upcoming_team_game_context, and
-- nba_raw.player_boxscores of dates d-30 .. d-1 (games the player actually played).
--   points_avg_last_5 / minutes_avg_last_5: the player's last 5 games played in the 30 days
--   form_vs_line = points_avg_last_5 - points line
CREATE SCHEMA IF NOT EXISTS nba_analytics;

CREATE TABLE IF NOT EXISTS nba_analytics.upcoming_player_game_context (
  game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, player_name VARCHAR,
  team_abbr VARCHAR, opponent_abbr VARCHAR, is_home BOOLEAN, points_line DOUBLE,
  over_price INTEGER, under_price INTEGER, team_rest_days INTEGER, is_back_to_back BOOLEAN,
  team_games_last_7_days INTEGER, opp_is_back_to_back BOOLEAN, games_played_last_30_days INTEGER,
  days_since_last_played INTEGER, points_avg_last_5 DOUBLE, minutes_avg_last_5 DOUBLE,
  form_vs_line DOUBLE
);

DELETE FROM nba_analytics.upcoming_player_game_context WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_analytics.upcoming_player_game_context
WITH lines AS (
  SELECT * FROM nba_raw.player_prop_lines
  WHERE game_date IN (SELECT unnest(@dates)) AND market = 'points'
), recent AS (                 -- the player's games played in d-30 .. d-1, newest first
  SELECT l.game_id, l.player_id, b.game_date, b.points, b.minutes,
         row_number() OVER (PARTITION BY l.game_id, l.player_id ORDER BY b.game_date DESC) AS games_ago
  FROM lines l
  JOIN nba_raw.player_boxscores b
    ON b.player_id = l.player_id AND b.game_date BETWEEN l.game_date - 30 AND l.game_date - 1
  WHERE b.game_date BETWEEN @start_date - 30 AND @end_date AND b.minutes > 0
), form AS (
  SELECT game_id, player_id,
         count(*)::INTEGER                                 AS games_played_last_30_days,
         max(game_date)                                    AS last_played_date,
         round(avg(points)  FILTER (WHERE games_ago <= 5), 2) AS points_avg_last_5,
         round(avg(minutes) FILTER (WHERE games_ago <= 5), 2) AS minutes_avg_last_5
  FROM recent
  GROUP BY ALL
)
SELECT l.game_id, l.season, l.game_date, l.player_id, l.player_name, l.team_abbr, l.opponent_abbr,
       t.is_home, l.line AS points_line, l.over_price, l.under_price,
       t.rest_days AS team_rest_days, t.is_back_to_back, t.games_last_7_days AS team_games_last_7_days,
       t.opp_is_back_to_back,
       coalesce(f.games_played_last_30_days, 0)            AS games_played_last_30_days,
       (l.game_date - f.last_played_date)::INTEGER         AS days_since_last_played,
       f.points_avg_last_5, f.minutes_avg_last_5,
       f.points_avg_last_5 - l.line                        AS form_vs_line
FROM lines l
JOIN nba_analytics.upcoming_team_game_context t
  ON t.game_id = l.game_id AND t.team_abbr = l.team_abbr AND t.game_date IN (SELECT unnest(@dates))
LEFT JOIN form f ON f.game_id = l.game_id AND f.player_id = l.player_id;
