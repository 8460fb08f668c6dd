-- nba_analytics.player_game_summary: one row per player per game with shooting efficiency and
-- usage. Reads the same date of nba_raw.player_boxscores and nba_raw.team_boxscores.
--   eFG%  = (FGM + 0.5 * 3PM) / FGA
--   TS%   = PTS / (2 * (FGA + 0.44 * FTA))
--   USG%  = 100 * ((FGA + 0.44 * FTA + TOV) * (team minutes / 5))
--                / (minutes * (team FGA + 0.44 * team FTA + team TOV))      NULL for a DNP
CREATE SCHEMA IF NOT EXISTS nba_analytics;

CREATE TABLE IF NOT EXISTS nba_analytics.player_game_summary (
  game_id VARCHAR, season VARCHAR, game_date DATE, player_id INTEGER, player_name VARCHAR,
  team_abbr VARCHAR, opponent_abbr VARCHAR, is_home BOOLEAN, starter BOOLEAN, dnp BOOLEAN,
  minutes DOUBLE, points INTEGER, fga INTEGER, fgm INTEGER, fg3a INTEGER, fg3m INTEGER,
  fta INTEGER, ftm INTEGER, rebounds INTEGER, assists INTEGER, turnovers INTEGER,
  fg_pct DOUBLE, fg3_pct DOUBLE, ft_pct DOUBLE, efg_pct DOUBLE, ts_pct DOUBLE,
  usage_rate DOUBLE, points_per_36 DOUBLE
);

DELETE FROM nba_analytics.player_game_summary WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_analytics.player_game_summary
SELECT p.game_id, p.season, p.game_date, p.player_id, p.player_name,
       p.team_abbr, p.opponent_abbr, p.is_home, p.starter, p.dnp,
       p.minutes, p.points, p.fga, p.fgm, p.fg3a, p.fg3m, p.fta, p.ftm,
       p.rebounds, p.assists, p.turnovers,
       p.fgm / nullif(p.fga, 0)                                     AS fg_pct,
       p.fg3m / nullif(p.fg3a, 0)                                   AS fg3_pct,
       p.ftm / nullif(p.fta, 0)                                     AS ft_pct,
       (p.fgm + 0.5 * p.fg3m) / nullif(p.fga, 0)                    AS efg_pct,
       p.points / nullif(2 * (p.fga + 0.44 * p.fta), 0)             AS ts_pct,
       CASE WHEN p.minutes > 0 THEN
         100.0 * (p.fga + 0.44 * p.fta + p.turnovers) * (t.minutes / 5)
               / (p.minutes * (t.fga + 0.44 * t.fta + t.turnovers))
       END                                                          AS usage_rate,
       CASE WHEN p.minutes > 0 THEN 36 * p.points / p.minutes END   AS points_per_36
FROM nba_raw.player_boxscores p
JOIN nba_raw.team_boxscores t ON t.game_id = p.game_id AND t.team_abbr = p.team_abbr
WHERE p.game_date IN (SELECT unnest(@dates))
  AND t.game_date IN (SELECT unnest(@dates));
