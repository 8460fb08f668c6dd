-- nba_analytics.player_game_summary (BigQuery): one row per player per game with shooting
-- efficiency and usage. Reads the same date of nba_raw.player_boxscores and nba_raw.team_boxscores.
--   eFG%  = (FGM + 0.5 * 3PM) / FGA
--   TS%   = PTS / (2 * (FGA + 0.44 * FTA))
--   USG%  = 100 * ((FGA + 0.44 * FTA + TOV) * (team minutes / 5))
--                / (minutes * (team FGA + 0.44 * team FTA + team TOV))      NULL for a DNP
CREATE TABLE IF NOT EXISTS nba_analytics.player_game_summary (
  game_id STRING, season STRING, game_date DATE, player_id INT64, player_name STRING,
  team_abbr STRING, opponent_abbr STRING, is_home BOOL, starter BOOL, dnp BOOL,
  minutes FLOAT64, points INT64, fga INT64, fgm INT64, fg3a INT64, fg3m INT64,
  fta INT64, ftm INT64, rebounds INT64, assists INT64, turnovers INT64,
  fg_pct FLOAT64, fg3_pct FLOAT64, ft_pct FLOAT64, efg_pct FLOAT64, ts_pct FLOAT64,
  usage_rate FLOAT64, points_per_36 FLOAT64
)
PARTITION BY game_date
CLUSTER BY team_abbr, player_id;

DELETE FROM nba_analytics.player_game_summary WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_analytics.player_game_summary
SELECT p.game_id, p.season, p.game_date, p.player_id, p.player_name,
       p.team_abbr, p.opponent_abbr, p.is_home, p.starter, p.dnp,
       p.minutes, p.points, p.fga, p.fgm, p.fg3a, p.fg3m, p.fta, p.ftm,
       p.rebounds, p.assists, p.turnovers,
       SAFE_DIVIDE(p.fgm, p.fga)                                    AS fg_pct,
       SAFE_DIVIDE(p.fg3m, p.fg3a)                                  AS fg3_pct,
       SAFE_DIVIDE(p.ftm, p.fta)                                    AS ft_pct,
       SAFE_DIVIDE(p.fgm + 0.5 * p.fg3m, p.fga)                     AS efg_pct,
       SAFE_DIVIDE(p.points, 2 * (p.fga + 0.44 * p.fta))            AS ts_pct,
       IF(p.minutes > 0,
          100.0 * (p.fga + 0.44 * p.fta + p.turnovers) * (t.minutes / 5)
                / (p.minutes * (t.fga + 0.44 * t.fta + t.turnovers)),
          NULL)                                                     AS usage_rate,
       IF(p.minutes > 0, 36 * p.points / p.minutes, NULL)           AS points_per_36
FROM nba_raw.player_boxscores p
JOIN nba_raw.team_boxscores t ON t.game_id = p.game_id AND t.team_abbr = p.team_abbr
WHERE p.game_date IN UNNEST(@dates)
  AND t.game_date IN UNNEST(@dates);
