#!/usr/bin/env python3
"""A processor for the tests: writes one row per date handed over to DAGRUN_OUTPUT (CSV), and
its own start and end times (epoch ms) to $STAMPS/<pid>.json, so a test can tell whether
processes overlapped. HOLD_MS: how long it works. MODE: 'outside' adds a row of another date,
'skip-last' leaves the last date out, rows carry VERSION; ROWS rows per date (default 1)."""
import json
import os
import sys
import time

start = time.time() * 1000
dates = [d for d in os.environ["DAGRUN_DATES"].split(",") if d]
mode = os.environ.get("MODE", "")
version = os.environ.get("VERSION", "1")
time.sleep(int(os.environ.get("HOLD_MS", "0")) / 1000)
with open(os.environ["DAGRUN_OUTPUT"], "w", encoding="utf-8") as out:
    out.write("d,version,n\n")
    for date in dates[:-1] if mode == "skip-last" else dates:
        for _ in range(int(os.environ.get("ROWS", "1"))):
            out.write(f"{date},{version},{len(dates)}\n")
    if mode == "outside":
        out.write("1999-01-01,0,0\n")
end = time.time() * 1000
stamps = os.environ.get("STAMPS")
if stamps:
    with open(os.path.join(stamps, f"{os.getpid()}.json"), "w", encoding="utf-8") as f:
        json.dump({"start": start, "end": end, "dates": dates}, f)
print(f"{len(dates)} dates")
sys.exit(0)
