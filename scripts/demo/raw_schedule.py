#!/usr/bin/env python3
"""nba_raw.schedule: the season schedule, standing in for the schedule scraper.

A dagrun processor in plain Python (standard library only): it never opens the warehouse.
dagrun hands it the dates to build and a file to write; it writes one JSON object per game
of those dates to that file, and dagrun loads them into the table, replacing exactly those
dates in one transaction, with its write records.

  DAGRUN_DATES   comma-separated ISO dates to build (may be scattered)
  DAGRUN_OUTPUT  the file to write the rows to (build.output: 'ndjson')
"""
import csv
import json
import os
import sys
from pathlib import Path

SCHEDULE = Path(__file__).resolve().parent.parent.parent / "data" / "schedule.csv"


def game_type(game_id: str) -> str:
    return {"002": "regular", "005": "play_in"}.get(game_id[:3], "playoffs")


def main() -> int:
    output = os.environ.get("DAGRUN_OUTPUT")
    dates = os.environ.get("DAGRUN_DATES")
    if not output or dates is None:
        print("raw_schedule.py: run me from dagrun (DAGRUN_OUTPUT and DAGRUN_DATES are not set)", file=sys.stderr)
        return 2
    wanted = {d for d in dates.split(",") if d}
    rows = 0
    with SCHEDULE.open(newline="") as source, open(output, "w", encoding="utf-8") as out:
        for game in csv.DictReader(source):
            if game["game_date"] not in wanted:
                continue
            game["game_type"] = game_type(game["game_id"])
            out.write(json.dumps(game) + "\n")
            rows += 1
    print(f"nba_raw.schedule: {len(wanted)} dates, {rows} games")
    return 0


if __name__ == "__main__":
    sys.exit(main())
