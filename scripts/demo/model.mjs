// The synthetic basketball model behind the raw tables. Every number is derived from hash() of
// (game_id, player_id, tag), so rebuilding a date gives identical rows, and the box scores, team
// box scores and shot zones are the same player lines seen three ways (they always agree).
export const EAST = ['ATL', 'BOS', 'BKN', 'CHA', 'CHI', 'CLE', 'DET', 'IND', 'MIA', 'MIL', 'NYK', 'ORL', 'PHI', 'TOR', 'WAS'];
export const WEST = ['DAL', 'DEN', 'GSW', 'HOU', 'LAC', 'LAL', 'MEM', 'MIN', 'NOP', 'OKC', 'PHX', 'POR', 'SAC', 'SAS', 'UTA'];
export const TEAMS = [...EAST, ...WEST];

const FIRST = ['Aaron', 'Andre', 'Ben', 'Caleb', 'Chris', 'Darius', 'De\'Andre', 'Evan', 'Isaiah', 'Jalen', 'Jamal', 'Jaylen',
  'Jordan', 'Josh', 'Keegan', 'Kevin', 'Kyle', 'Luka', 'Malik', 'Marcus', 'Mikal', 'Nikola', 'Paolo', 'RJ', 'Scottie', 'Tyrese', 'Zion'];
const LAST = ['Adams', 'Allen', 'Barnes', 'Bridges', 'Brooks', 'Brown', 'Carter', 'Davis', 'Edwards', 'Green', 'Harris', 'Holiday',
  'Jackson', 'Johnson', 'Jones', 'Mitchell', 'Murray', 'Porter', 'Robinson', 'Smith', 'Thompson', 'Turner', 'Walker', 'White', 'Williams'];

const sqlList = (xs) => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;
// Expected minutes by roster slot: 1-5 starters, 6-9 rotation, 10-12 end of the bench.
const SLOT_MINUTES = [34, 32, 31, 30, 28, 24, 20, 17, 14, 8, 6, 4];

/** Temp macros, the roster, and the `player_lines` view (one row per player per game of build_dates). */
export const MODEL_SQL = [
  // u(key1, key2, tag): a uniform number in [0, 1) fixed by its keys.
  `CREATE OR REPLACE TEMP MACRO u(k1, k2, tag) AS (hash(k1, k2, tag) % 1000003) / 1000003.0`,
  // makes out of att attempts at probability p, binomial-like noise from a uniform draw
  `CREATE OR REPLACE TEMP MACRO makes(att, p, r) AS
     least(att, greatest(0, round(att * p + (r - 0.5) * 3.46 * sqrt(att * p * (1 - p)))))::INTEGER`,

  // 12 players per team; player_id = team_no * 100 + slot; skills fixed per player.
  `CREATE OR REPLACE TEMP TABLE roster AS
   SELECT player_id, team_abbr, slot,
          -- k = 0..359 walks the name lists so that no two players share a name
          ${sqlList(FIRST)}[1 + k % ${FIRST.length}] || ' ' || ${sqlList(LAST)}[1 + (k // ${FIRST.length} + 11 * k) % ${LAST.length}] AS player_name,
          [${SLOT_MINUTES.join(', ')}][slot] AS slot_minutes,
          0.70 + 0.60 * u(player_id, 0, 'usage') AS usage_factor,      -- shots per minute, relative
          0.10 + 0.45 * u(player_id, 0, 'three') AS three_share,       -- share of FGA from three
          0.35 + 0.45 * u(player_id, 0, 'paint') AS paint_share,       -- share of 2PA in the paint
          0.92 + 0.16 * u(player_id, 0, 'shoot') AS shooting,          -- make-rate multiplier
          0.65 + 0.25 * u(player_id, 0, 'ft') AS ft_pct,
          0.50 + 1.00 * u(player_id, 0, 'ftr') AS ft_tendency,
          0.50 + 1.00 * u(player_id, 0, 'play') AS playmaking
   FROM (SELECT team_no * 100 + slot AS player_id, team_abbr, slot, (team_no - 1) * ${SLOT_MINUTES.length} + slot - 1 AS k
         FROM (SELECT unnest(${sqlList(TEAMS)}) AS team_abbr, unnest(range(1, ${TEAMS.length + 1})) AS team_no),
              range(1, ${SLOT_MINUTES.length + 1}) s(slot))`,

  `CREATE OR REPLACE TEMP VIEW player_lines AS
   WITH games AS (
     SELECT s.game_id, s.season, s.game_date, s.home_team, s.away_team,
            CASE WHEN u(s.game_id, 0, 'ot') < 0.010 THEN 2 WHEN u(s.game_id, 0, 'ot') < 0.065 THEN 1 ELSE 0 END AS overtimes
     FROM nba_raw.schedule s JOIN build_dates b USING (game_date)
   ), sides AS (
     SELECT game_id, season, game_date, home_team AS team_abbr, away_team AS opponent_abbr, true AS is_home, overtimes FROM games
     UNION ALL
     SELECT game_id, season, game_date, away_team, home_team, false, overtimes FROM games
   ), weighted AS (
     SELECT g.*, r.* EXCLUDE (team_abbr),
            u(g.game_id, r.player_id, 'dnp') < (CASE WHEN r.slot <= 9 THEN 0.05 ELSE 0.55 END) AS dnp,
            CASE WHEN dnp THEN 0 ELSE r.slot_minutes * (0.75 + 0.5 * u(g.game_id, r.player_id, 'min')) END AS w
     FROM sides g JOIN roster r USING (team_abbr)
   ), minutes AS (
     SELECT *, round(w / sum(w) OVER (PARTITION BY game_id, team_abbr) * (240 + 25 * overtimes), 1) AS minutes
     FROM weighted
   ), attempts AS (
     SELECT *,
            round(minutes * 0.37 * usage_factor * (0.8 + 0.4 * u(game_id, player_id, 'fga')))::INTEGER AS fga,
            round(minutes * 0.09 * usage_factor * ft_tendency * (0.5 + u(game_id, player_id, 'fta')))::INTEGER AS fta
     FROM minutes
   ), zones AS (
     SELECT *, least(fga, round(fga * three_share * (0.75 + 0.5 * u(game_id, player_id, '3pa'))))::INTEGER AS three_fga
     FROM attempts
   ), zones2 AS (
     SELECT *, least(fga - three_fga, round((fga - three_fga) * paint_share * (0.8 + 0.4 * u(game_id, player_id, 'pa'))))::INTEGER AS paint_fga
     FROM zones
   )
   SELECT game_id, season, game_date, team_abbr, opponent_abbr, is_home, player_id, player_name, slot, dnp, minutes,
          paint_fga, makes(paint_fga, 0.60 * shooting, u(game_id, player_id, 'pm')) AS paint_fgm,
          fga - three_fga - paint_fga AS mid_fga,
          makes(fga - three_fga - paint_fga, 0.41 * shooting, u(game_id, player_id, 'mm')) AS mid_fgm,
          three_fga, makes(three_fga, 0.355 * shooting, u(game_id, player_id, '3m')) AS three_fgm,
          fta, makes(fta, ft_pct, u(game_id, player_id, 'ftm')) AS ftm,
          round(minutes * 0.035 * (0.4 + paint_share) * (0.4 + 1.2 * u(game_id, player_id, 'oreb')))::INTEGER AS oreb,
          round(minutes * 0.12 * (0.5 + paint_share) * (0.6 + 0.8 * u(game_id, player_id, 'dreb')))::INTEGER AS dreb,
          round(minutes * 0.085 * playmaking * (0.5 + u(game_id, player_id, 'ast')))::INTEGER AS assists,
          round(minutes * 0.045 * usage_factor * (0.4 + 1.2 * u(game_id, player_id, 'tov')))::INTEGER AS turnovers
   FROM zones2`,
];

/** Box-score columns computed from player_lines (fgm/fga/points always add up). */
export const BOX_COLUMNS = `
  paint_fga + mid_fga + three_fga AS fga,
  paint_fgm + mid_fgm + three_fgm AS fgm,
  three_fga AS fg3a, three_fgm AS fg3m, fta, ftm,
  2 * (paint_fgm + mid_fgm) + 3 * three_fgm + ftm AS points,
  oreb, dreb, oreb + dreb AS rebounds, assists, turnovers`;
