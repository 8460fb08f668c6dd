-- nba_analytics.team_defense_game_summary: one row per team per game, seen from the defensive
-- end: what the opponent's offense did against this team. Reads the same date of
-- nba_analytics.team_offense_game_summary (the opponent's row is this team's defense).
--   DRtg = 100 * opp PTS / opp possessions;  opp eFG% = (opp FGM + 0.5 * opp 3PM) / opp FGA
--   DREB% = DREB / (DREB + opp OREB);  opp TOV% = opp TOV / opp possessions
CREATE SCHEMA IF NOT EXISTS nba_analytics;

CREATE TABLE IF NOT EXISTS nba_analytics.team_defense_game_summary (
  game_id VARCHAR, season VARCHAR, game_date DATE, team_abbr VARCHAR, opponent_abbr VARCHAR,
  is_home BOOLEAN, won BOOLEAN, opp_points INTEGER, opp_possessions DOUBLE,
  defensive_rating DOUBLE, net_rating DOUBLE, opp_efg_pct DOUBLE, opp_tov_pct DOUBLE,
  opp_ft_rate DOUBLE, opp_fg3_pct DOUBLE, dreb_pct DOUBLE, point_differential INTEGER
);

DELETE FROM nba_analytics.team_defense_game_summary WHERE game_date IN (SELECT unnest(@dates));

INSERT INTO nba_analytics.team_defense_game_summary
WITH off AS (
  SELECT * FROM nba_analytics.team_offense_game_summary
  WHERE game_date IN (SELECT unnest(@dates))
)
SELECT t.game_id, t.season, t.game_date, t.team_abbr, t.opponent_abbr, t.is_home, t.won,
       o.points                                      AS opp_points,
       o.possessions                                 AS opp_possessions,
       100 * o.points / o.possessions                AS defensive_rating,
       t.offensive_rating - 100 * o.points / o.possessions AS net_rating,
       o.efg_pct                                     AS opp_efg_pct,
       o.tov_pct                                     AS opp_tov_pct,
       o.ft_rate                                     AS opp_ft_rate,
       o.fg3m / nullif(o.fg3a, 0)                    AS opp_fg3_pct,
       t.dreb / (t.dreb + o.oreb)                    AS dreb_pct,
       t.points - o.points                           AS point_differential
FROM off t
JOIN off o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr;
