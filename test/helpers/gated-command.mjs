#!/usr/bin/env node
// A build command the test holds back range by range (no sleeps): it hands its range's dates
// to dagrun as CSV (`build.output: 'csv'`), but only once the test lets it.
//
// GATE_DIR (required): the command writes `started-<target>-<start>` when it starts, then
// waits until `go-<target>-<start>` or `go-all` exists there before it writes its rows and exits.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.GATE_DIR;
if (!dir) throw new Error('GATE_DIR is not set');
const name = `${process.env.DAGRUN_TARGET}-${process.env.DAGRUN_START}`;
writeFileSync(path.join(dir, `started-${name}`), `${process.pid}\n`);
while (!existsSync(path.join(dir, `go-${name}`)) && !existsSync(path.join(dir, 'go-all'))) await new Promise((r) => setTimeout(r, 20));
writeFileSync(process.env.DAGRUN_OUTPUT, `d\n${process.env.DAGRUN_DATES.split(',').join('\n')}\n`);
