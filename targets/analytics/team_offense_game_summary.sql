-- nba_analytics.team_offense_game_summary: one row per team per game, the offensive "four
-- factors", pace and offensive rating. Reads the same date of nba_raw.team_boxscores.
--   possessions = FGA + 0.44 * FTA - OREB + TOV
--   pace        = 48 * (team poss + opp poss) / (2 * team minutes / 5)
--   ORtg        = 100 * PTS / possessions
--   eFG% = (FGM + 0.5 * 3PM) / FGA;  TOV% = TOV / poss;  OREB% = OREB / (OREB + opp DREB);
--   FT rate = FTA / FGA
CREATE SCHEMA IF NOT EXISTS nba_analytics;

CREATE TABLE IF NOT EXISTS nba_analytics.team_offense_game_summary (
  game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
  is_home BOOLEAN, won BOOLEAN, minutes DOUBLE, points INTEGER, fga INTEGER, fgm INTEGER,
  fg3a INTEGER, fg3m INTEGER, fta INTEGER, ftm INTEGER, oreb INTEGER, dreb INTEGER,
  assists INTEGER, turnovers INTEGER, possessions DOUBLE, pace DOUBLE, offensive_rating DOUBLE,
  efg_pct DOUBLE, ts_pct DOUBLE, tov_pct DOUBLE, oreb_pct DOUBLE, ft_rate DOUBLE,
  fg3a_rate DOUBLE, assist_ratio DOUBLE
);

DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_analytics.team_offense_game_summary
WITH box AS (
  SELECT *, fga + 0.44 * fta - oreb + turnovers AS possessions
  FROM nba_raw.team_boxscores
  WHERE game_date IN (SELECT unnest(@dates))
)
SELECT t.game_id, t.season, t.game_date, t.team_abbr, t.opponent_abbr, t.is_home, t.won,
       t.minutes, t.points, t.fga, t.fgm, t.fg3a, t.fg3m, t.fta, t.ftm, t.oreb, t.dreb,
       t.assists, t.turnovers,
       t.possessions,
       48 * (t.possessions + o.possessions) / (2 * t.minutes / 5)   AS pace,
       100 * t.points / t.possessions                               AS offensive_rating,
       (t.fgm + 0.5 * t.fg3m) / t.fga                               AS efg_pct,
       t.points / (2 * (t.fga + 0.44 * t.fta))                      AS ts_pct,
       t.turnovers / t.possessions                                  AS tov_pct,
       t.oreb / (t.oreb + o.dreb)                                   AS oreb_pct,
       t.fta / t.fga                                                AS ft_rate,
       t.fg3a / t.fga                                               AS fg3a_rate,
       t.assists / t.fgm                                            AS assist_ratio
FROM box t
JOIN box o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr;
