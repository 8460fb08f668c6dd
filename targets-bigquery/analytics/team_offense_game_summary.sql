-- nba_analytics.team_offense_game_summary (BigQuery): one row per team per game, the offensive
-- "four factors", pace and offensive rating. Reads the same date of nba_raw.team_boxscores.
--   possessions = FGA + 0.44 * FTA - OREB + TOV
--   pace        = 48 * (team poss + opp poss) / (2 * team minutes / 5)
--   ORtg        = 100 * PTS / possessions
--   eFG% = (FGM + 0.5 * 3PM) / FGA;  TOV% = TOV / poss;  OREB% = OREB / (OREB + opp DREB);
--   FT rate = FTA / FGA
CREATE TABLE IF NOT EXISTS nba_analytics.team_offense_game_summary (
  game_id STRING, season STRING, game_date DATE, team_abbr STRING, opponent_abbr STRING,
  is_home BOOL, won BOOL, minutes FLOAT64, points INT64, fga INT64, fgm INT64,
  fg3a INT64, fg3m INT64, fta INT64, ftm INT64, oreb INT64, dreb INT64,
  assists INT64, turnovers INT64, possessions FLOAT64, pace FLOAT64, offensive_rating FLOAT64,
  efg_pct FLOAT64, ts_pct FLOAT64, tov_pct FLOAT64, oreb_pct FLOAT64, ft_rate FLOAT64,
  fg3a_rate FLOAT64, assist_ratio FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr;

DELETE FROM nba_analytics.team_offense_game_summary WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_analytics.team_offense_game_summary
WITH box AS (
  SELECT *, fga + 0.44 * fta - oreb + turnovers AS possessions
  FROM nba_raw.team_boxscores
  WHERE game_date IN UNNEST(@dates)
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
