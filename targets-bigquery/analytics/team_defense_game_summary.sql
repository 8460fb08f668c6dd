-- nba_analytics.team_defense_game_summary (BigQuery): one row per team per game, seen from the
-- defensive end: what the opponent's offense did against this team. Reads the same date of
-- nba_analytics.team_offense_game_summary (the opponent's row is this team's defense).
--   DRtg = 100 * opp PTS / opp possessions;  opp eFG% = (opp FGM + 0.5 * opp 3PM) / opp FGA
--   DREB% = DREB / (DREB + opp OREB);  opp TOV% = opp TOV / opp possessions
CREATE TABLE IF NOT EXISTS nba_analytics.team_defense_game_summary (
  game_id STRING, season STRING, game_date DATE, team_abbr STRING, opponent_abbr STRING,
  is_home BOOL, won BOOL, opp_points INT64, opp_possessions FLOAT64,
  defensive_rating FLOAT64, net_rating FLOAT64, opp_efg_pct FLOAT64, opp_tov_pct FLOAT64,
  opp_ft_rate FLOAT64, opp_fg3_pct FLOAT64, dreb_pct FLOAT64, point_differential INT64
)
PARTITION BY game_date
CLUSTER BY team_abbr;

DELETE FROM nba_analytics.team_defense_game_summary WHERE game_date IN UNNEST(@dates);

INSERT INTO nba_analytics.team_defense_game_summary
WITH off AS (
  SELECT * FROM nba_analytics.team_offense_game_summary
  WHERE game_date IN UNNEST(@dates)
)
SELECT t.game_id, t.season, t.game_date, t.team_abbr, t.opponent_abbr, t.is_home, t.won,
       o.points                                      AS opp_points,
       o.possessions                                 AS opp_possessions,
       100 * o.points / o.possessions                AS defensive_rating,
       t.offensive_rating - 100 * o.points / o.possessions AS net_rating,
       o.efg_pct                                     AS opp_efg_pct,
       o.tov_pct                                     AS opp_tov_pct,
       o.ft_rate                                     AS opp_ft_rate,
       SAFE_DIVIDE(o.fg3m, o.fg3a)                   AS opp_fg3_pct,
       t.dreb / (t.dreb + o.oreb)                    AS dreb_pct,
       t.points - o.points                           AS point_differential
FROM off t
JOIN off o ON o.game_id = t.game_id AND o.team_abbr = t.opponent_abbr;
