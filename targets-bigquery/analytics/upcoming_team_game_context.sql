-- nba_analytics.upcoming_team_game_context (BigQuery): one row per team per game, what is known
-- before tip-off: rest and schedule density for both sides. Reads nba_raw.schedule, d-14 .. d.
--   days_since_last_game = d - the team's previous game date (NULL when none in 14 days:
--                          season opener); rest_days = days_since_last_game - 1;
--   back-to-back = played the day before; games_last_7_days counts games on d-7 .. d-1.
CREATE TABLE IF NOT EXISTS nba_analytics.upcoming_team_game_context (
  game_id STRING, season STRING, game_date DATE, game_type STRING, team_abbr STRING,
  opponent_abbr STRING, is_home BOOL, days_since_last_game INT64, rest_days INT64,
  is_back_to_back BOOL, games_last_7_days INT64, games_last_14_days INT64,
  opp_rest_days INT64, opp_is_back_to_back BOOL, rest_advantage INT64
)
PARTITION BY game_date
CLUSTER BY team_abbr;

DELETE FROM nba_analytics.upcoming_team_game_context WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_analytics.upcoming_team_game_context
WITH team_games AS (           -- one row per team per game, d-14 .. d
  SELECT game_id, season, game_date, game_type, home_team AS team_abbr, away_team AS opponent_abbr, TRUE AS is_home
  FROM nba_raw.schedule WHERE game_date BETWEEN DATE_SUB(@start_date, INTERVAL 14 DAY) AND @end_date
  UNION ALL
  SELECT game_id, season, game_date, game_type, away_team, home_team, FALSE
  FROM nba_raw.schedule WHERE game_date BETWEEN DATE_SUB(@start_date, INTERVAL 14 DAY) AND @end_date
), last_game AS (
  SELECT g.game_id, g.season, g.game_date, g.game_type, g.team_abbr, g.opponent_abbr, g.is_home,
         MAX(p.game_date)                                                        AS last_game_date,
         COUNTIF(p.game_date >= DATE_SUB(g.game_date, INTERVAL 7 DAY))           AS games_last_7_days,
         COUNT(p.game_id)                                                        AS games_last_14_days
  FROM team_games g
  LEFT JOIN team_games p
    ON p.team_abbr = g.team_abbr
   AND p.game_date BETWEEN DATE_SUB(g.game_date, INTERVAL 14 DAY) AND DATE_SUB(g.game_date, INTERVAL 1 DAY)
  WHERE g.game_date IN UNNEST(@dates)
  GROUP BY g.game_id, g.season, g.game_date, g.game_type, g.team_abbr, g.opponent_abbr, g.is_home
), rest AS (
  SELECT *, DATE_DIFF(game_date, last_game_date, DAY) AS days_since_last_game FROM last_game
)
SELECT t.game_id, t.season, t.game_date, t.game_type, t.team_abbr, t.opponent_abbr, t.is_home,
       t.days_since_last_game,
       t.days_since_last_game - 1                      AS rest_days,
       COALESCE(t.days_since_last_game = 1, FALSE)     AS is_back_to_back,
       t.games_last_7_days, t.games_last_14_days,
       o.days_since_last_game - 1                      AS opp_rest_days,
       COALESCE(o.days_since_last_game = 1, FALSE)     AS opp_is_back_to_back,
       t.days_since_last_game - o.days_since_last_game AS rest_advantage
FROM rest t
JOIN rest o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr;
