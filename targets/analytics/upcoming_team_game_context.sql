-- nba_analytics.upcoming_team_game_context: one row per team per game, what is known before
-- tip-off: rest and schedule density for both sides. Reads nba_raw.schedule, dates d-14 .. d.
--   days_since_last_game = d - the team's previous game date (NULL when none in 14 days:
--                          season opener); rest_days = days_since_last_game - 1;
--   back-to-back = played the day before; games_last_7_days counts games on d-7 .. d-1.
CREATE SCHEMA IF NOT EXISTS nba_analytics;

CREATE TABLE IF NOT EXISTS nba_analytics.upcoming_team_game_context (
  game_id VARCHAR, season VARCHAR, game_date DATE, game_type VARCHAR, team_abbr VARCHAR,
  opponent_abbr VARCHAR, is_home BOOLEAN, days_since_last_game INTEGER, rest_days INTEGER,
  is_back_to_back BOOLEAN, games_last_7_days INTEGER, games_last_14_days INTEGER,
  opp_rest_days INTEGER, opp_is_back_to_back BOOLEAN, rest_advantage INTEGER
);

DELETE FROM nba_analytics.upcoming_team_game_context WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_analytics.upcoming_team_game_context
WITH team_games AS (           -- one row per team per game, d-14 .. d
  SELECT game_id, season, game_date, game_type, home_team AS team_abbr, away_team AS opponent_abbr, true AS is_home
  FROM nba_raw.schedule WHERE game_date BETWEEN @start_date - 14 AND @end_date
  UNION ALL
  SELECT game_id, season, game_date, game_type, away_team, home_team, false
  FROM nba_raw.schedule WHERE game_date BETWEEN @start_date - 14 AND @end_date
), last_game AS (
  SELECT g.game_id, g.season, g.game_date, g.game_type, g.team_abbr, g.opponent_abbr, g.is_home,
         max(p.game_date)                                                        AS last_game_date,
         count(p.game_id) FILTER (WHERE p.game_date >= g.game_date - 7)::INTEGER AS games_last_7_days,
         count(p.game_id)::INTEGER                                               AS games_last_14_days
  FROM team_games g
  LEFT JOIN team_games p
    ON p.team_abbr = g.team_abbr AND p.game_date BETWEEN g.game_date - 14 AND g.game_date - 1
  WHERE g.game_date IN (SELECT unnest(@dates))
  GROUP BY ALL
), rest AS (
  SELECT *, (game_date - last_game_date)::INTEGER AS days_since_last_game FROM last_game
)
SELECT t.game_id, t.season, t.game_date, t.game_type, t.team_abbr, t.opponent_abbr, t.is_home,
       t.days_since_last_game,
       t.days_since_last_game - 1                     AS rest_days,
       coalesce(t.days_since_last_game = 1, false)    AS is_back_to_back,
       t.games_last_7_days, t.games_last_14_days,
       o.days_since_last_game - 1                     AS opp_rest_days,
       coalesce(o.days_since_last_game = 1, false)    AS opp_is_back_to_back,
       t.days_since_last_game - o.days_since_last_game AS rest_advantage
FROM rest t
JOIN rest o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr;
