#!/usr/bin/env node
// Generates data/schedule.csv: a deterministic, NBA-like schedule for the 2021-22 .. 2025-26
// seasons (30 teams, 82 games each in the regular season, play-in, playoffs), cut so that the
// calendar has exactly 848 game dates from 2021-10-19 to 2026-01-03.
//
//   node scripts/demo/make_schedule.mjs        (rewrites data/schedule.csv; same bytes every time)
import { writeFileSync } from 'node:fs';
import { EAST, WEST, TEAMS } from './model.mjs';

// Regular-season bounds and dark days (Thanksgiving, Christmas Eve, All-Star break).
const SEASONS = [
  { season: '2021-22', start: '2021-10-19', end: '2022-04-10', off: ['2021-11-25', '2021-12-24', ['2022-02-18', '2022-02-23']] },
  { season: '2022-23', start: '2022-10-18', end: '2023-04-09', off: ['2022-11-24', '2022-12-24', ['2023-02-17', '2023-02-22']] },
  { season: '2023-24', start: '2023-10-24', end: '2024-04-14', off: ['2023-11-23', '2023-12-24', ['2024-02-16', '2024-02-21']] },
  { season: '2024-25', start: '2024-10-22', end: '2025-04-13', off: ['2024-11-28', '2024-12-24', ['2025-02-14', '2025-02-18']] },
  { season: '2025-26', start: '2025-10-21', end: '2026-04-12', off: ['2025-11-27', '2025-12-24', ['2026-02-13', '2026-02-17']] },
];
const FIRST_DATE = '2021-10-19';
const LAST_DATE = '2026-01-03'; // the data ends here (mid 2025-26 season)
const EXPECTED_DATES = 848;

const DAY = 86_400_000;
const toDays = (iso) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const toIso = (days) => new Date(days * DAY).toISOString().slice(0, 10);

function rng(seed) { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const shuffle = (arr, rand) => {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
  return arr;
};

function regularSeason(s, rand) {
  const off = new Set();
  for (const o of s.off) {
    const [a, b] = Array.isArray(o) ? o : [o, o];
    for (let d = toDays(a); d <= toDays(b); d++) off.add(d);
  }
  const days = [];
  for (let d = toDays(s.start); d <= toDays(s.end); d++) if (!off.has(d)) days.push(d);

  // Games per date: weekday rhythm plus noise, scaled so the season has 30 * 82 / 2 = 1230 games.
  const weekday = [0.85, 0.9, 0.8, 1.25, 0.6, 1.2, 0.95]; // Sun..Sat
  const weight = days.map((d) => weekday[new Date(d * DAY).getUTCDay()] * (0.6 + 0.8 * rand()));
  const counts = new Array(days.length);
  const fill = (k) => days.forEach((_, i) => (counts[i] = i === 0 ? 2 : Math.max(1, Math.min(15, Math.round(weight[i] * k)))));
  let lo = 1, hi = 20;
  for (let it = 0; it < 60; it++) { const k = (lo + hi) / 2; fill(k); (counts.reduce((a, b) => a + b) < 1230 ? (lo = k) : (hi = k)); }
  fill(hi);
  for (let diff = counts.reduce((a, b) => a + b) - 1230; diff !== 0;) {
    const i = 1 + Math.floor(rand() * (days.length - 1));
    if (diff > 0 && counts[i] > 1) { counts[i]--; diff--; }
    if (diff < 0 && counts[i] < 15) { counts[i]++; diff++; }
  }

  // Teams with the fewest games so far play first (so everyone ends at 82), a team that played
  // yesterday counts as 1.5 games more (fewer back-to-backs, except in the last 3 weeks); the
  // team with fewer home games hosts.
  const played = Object.fromEntries(TEAMS.map((t) => [t, 0]));
  const home = Object.fromEntries(TEAMS.map((t) => [t, 0]));
  const lastDay = {};
  const games = [];
  days.forEach((d, i) => {
    const tired = (t) => (lastDay[t] === d - 1 && i < days.length - 21 ? 1.5 : 0);
    const order = shuffle([...TEAMS], rand).sort((a, b) => played[a] + tired(a) - played[b] - tired(b));
    const today = shuffle(order.slice(0, 2 * counts[i]), rand);
    for (let g = 0; g < today.length; g += 2) {
      let [h, a] = [today[g], today[g + 1]];
      if (home[h] > home[a]) [h, a] = [a, h];
      played[h]++; played[a]++; home[h]++;
      lastDay[h] = lastDay[a] = d;
      games.push({ type: 'regular', day: d, home: h, away: a });
    }
  });
  const off82 = TEAMS.filter((t) => played[t] !== 82);
  if (off82.length) throw new Error(`${s.season}: ${off82.join(', ')} did not play 82 games`);
  return { games, lastDay: days[days.length - 1] };
}

// Play-in (Tue, Wed, Fri after the last regular-season Sunday) and playoffs (from Saturday):
// best-of-7 series, a game every second or third day, strength decides the winners.
function postseason(lastDay, rand) {
  const strength = Object.fromEntries(TEAMS.map((t) => [t, rand()]));
  const beats = (a, b) => rand() < 0.5 + 0.6 * (strength[a] - strength[b]);
  const games = [];
  const play = (day, a, b) => { games.push({ type: 'playin', day, home: a, away: b }); return beats(a, b) ? [a, b] : [b, a]; };
  const seeds = [EAST, WEST].map((conf) => [...conf].sort((a, b) => strength[b] - strength[a]));
  for (const [c, s] of seeds.entries()) {
    const d = lastDay + 2 + c;
    const [w78, l78] = play(d, s[6], s[7]);
    const [w910] = play(d, s[8], s[9]);
    const [w8] = play(lastDay + 5, l78, w910);
    s.splice(6, 4, w78, w8);
  }

  const series = (a, b, start) => {
    let day = start, wins = [0, 0];
    for (let g = 0; wins[0] < 4 && wins[1] < 4; g++) {
      const [h, v] = [0, 1, 4, 6].includes(g) ? [a, b] : [b, a];
      games.push({ type: 'playoff', day, home: h, away: v });
      wins[beats(a, b) ? 0 : 1]++;
      day += rand() < 0.3 ? 3 : 2;
    }
    return { winner: wins[0] === 4 ? a : b, end: day };
  };
  let brackets = seeds.map((s) => [0, 7, 3, 4, 2, 5, 1, 6].map((i) => s[i]));
  let start = lastDay + 6;
  while (brackets.flat().length > 1) {
    const teams = brackets.length === 2 && brackets[0].length === 1 ? [[brackets[0][0], brackets[1][0]]] : brackets;
    let end = start;
    brackets = teams.map((bracket) => {
      const winners = [];
      for (let i = 0; i < bracket.length; i += 2) {
        const r = series(bracket[i], bracket[i + 1], start + (i / 2) % 2);
        winners.push(r.winner);
        end = Math.max(end, r.end);
      }
      return winners;
    });
    start = end + 1;
  }
  return games;
}

const rows = [];
const regularDates = new Set();
const postByseason = [];
for (const [n, s] of SEASONS.entries()) {
  const rand = rng(0x5eed + n);
  const { games, lastDay } = regularSeason(s, rand);
  const kept = games.filter((g) => g.day <= toDays(LAST_DATE));
  kept.forEach((g) => regularDates.add(g.day));
  postByseason.push(kept.length === games.length ? postseason(lastDay, rand) : []);
  rows.push(...kept.map((g) => ({ ...g, season: s.season })));
}

// Postseason dates kept per season: all play-in days, then the first K playoff days so that the
// whole calendar has exactly EXPECTED_DATES dates (K split evenly over the complete seasons).
const playinDates = postByseason.flat().filter((g) => g.type === 'playin').map((g) => g.day);
let budget = EXPECTED_DATES - regularDates.size - new Set(playinDates).size;
const complete = postByseason.filter((p) => p.length);
complete.forEach((post, i) => {
  const k = Math.floor(budget / (complete.length - i));
  budget -= k;
  const playoffDays = [...new Set(post.filter((g) => g.type === 'playoff').map((g) => g.day))].sort((a, b) => a - b);
  if (playoffDays.length < k) throw new Error(`season ${i}: only ${playoffDays.length} playoff dates, need ${k}`);
  const lastKept = playoffDays[k - 1];
  const season = SEASONS[postByseason.indexOf(post)].season;
  rows.push(...post.filter((g) => g.day <= lastKept).map((g) => ({ ...g, season })));
});

// game_id in the NBA style: 002 regular season, 004 playoffs, 005 play-in; then yy and a sequence.
rows.sort((a, b) => a.day - b.day || a.home.localeCompare(b.home));
const seq = {};
const prefix = { regular: '002', playoff: '004', playin: '005' };
const lines = ['game_id,season,game_date,home_team,away_team'];
const teamDay = new Set();
for (const g of rows) {
  const key = prefix[g.type] + g.season.slice(2, 4);
  seq[key] = (seq[key] ?? 0) + 1;
  for (const t of [g.home, g.away]) {
    if (teamDay.has(`${t}${g.day}`)) throw new Error(`${t} plays twice on ${toIso(g.day)}`);
    teamDay.add(`${t}${g.day}`);
  }
  lines.push([key + String(seq[key]).padStart(5, '0'), g.season, toIso(g.day), g.home, g.away].join(','));
}

const dates = [...new Set(rows.map((g) => g.day))].sort((a, b) => a - b);
const assert = (ok, msg) => { if (!ok) throw new Error(`make_schedule: ${msg}`); };
assert(dates.length === EXPECTED_DATES, `${dates.length} game dates, expected ${EXPECTED_DATES}`);
assert(toIso(dates[0]) === FIRST_DATE, `first date ${toIso(dates[0])}, expected ${FIRST_DATE}`);
assert(toIso(dates.at(-1)) === LAST_DATE, `last date ${toIso(dates.at(-1))}, expected ${LAST_DATE}`);

const out = new URL('../../data/schedule.csv', import.meta.url);
writeFileSync(out, lines.join('\n') + '\n');
console.log(`data/schedule.csv: ${rows.length} games on ${dates.length} dates (${FIRST_DATE} .. ${LAST_DATE})`);
