#!/usr/bin/env node
// A misbehaving build command for the fault-injection suite. `node fault.mjs <mode>`:
//
//   write   insert the dates dagrun hands over (DAGRUN_DATES) into DAGRUN_TABLE (column d DATE)
//   hang    start a grandchild, record both pids, and never end (timeouts, interrupts)
//   flaky   fail the first attempt of each range, then behave like `write`
//   noop    exit 0 and write nothing (the gate must catch it)
//   spam    print FAULT_SPAM_MB megabytes, then exit 3
//   env     print secrets it was given (FAULT_TOKEN, SERVICE_PASSWORD, the credential file's key), exit 1
//
// FAULT_DIR (required) receives `invocations.log` (start/end lines, to prove that two
// commands never overlapped), `<start>.pid` files (the test polls them to know a command
// runs and checks afterwards that every pid is gone) and the markers of `flaky`.
// With FAULT_HANG_FROM=YYYY-MM-DD, `write` hangs for ranges starting on or after that date;
// with FAULT_GATE_FILE, `write` first waits for that file to exist (the test holds it back);
// with FAULT_FLAKY_START, `flaky` fails only the range that starts on that date.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';

const mode = process.argv[2];
const dir = process.env.FAULT_DIR;
if (!dir) throw new Error('FAULT_DIR is not set');
mkdirSync(dir, { recursive: true });
const start = process.env.DAGRUN_START;
const log = (line) => appendFileSync(path.join(dir, 'invocations.log'), `${line} ${process.pid} ${start} ${process.env.DAGRUN_END}\n`);

async function write() {
  while (process.env.FAULT_GATE_FILE && !existsSync(process.env.FAULT_GATE_FILE)) await new Promise((r) => setTimeout(r, 20));
  // Loaded here, not at the top: `hang` must record its pid as soon as it can.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { path: file } = JSON.parse(process.env.DAGRUN_WAREHOUSE);
  const [schema] = process.env.DAGRUN_TABLE.split('.');
  const dates = process.env.DAGRUN_DATES.split(',');
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${process.env.DAGRUN_TABLE} (d DATE)`);
  for (const date of dates) {
    await connection.run(`DELETE FROM ${process.env.DAGRUN_TABLE} WHERE d = DATE '${date}'`);
    await connection.run(`INSERT INTO ${process.env.DAGRUN_TABLE} VALUES (DATE '${date}')`);
  }
  connection.closeSync();
  instance.closeSync();
}

function hang() {
  // A grandchild in the same process group: ending the command must end it too.
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync(path.join(dir, `${start}.pid`), `${process.pid}\n${grandchild.pid}\n`);
  if (process.env.FAULT_IGNORE_TERM) process.on('SIGTERM', () => undefined);
  setInterval(() => undefined, 1000);
}

log('start');
switch (mode) {
  case 'write':
    if (process.env.FAULT_HANG_FROM && start >= process.env.FAULT_HANG_FROM) hang();
    else await write();
    break;
  case 'hang':
    hang();
    break;
  case 'flaky': {
    const marker = path.join(dir, `flaky-${start}`);
    const chosen = process.env.FAULT_FLAKY_START === undefined || process.env.FAULT_FLAKY_START === start;
    if (chosen && !existsSync(marker)) {
      writeFileSync(marker, '');
      console.error(`flaky: first attempt for ${start} fails`);
      log('end');
      process.exit(1);
    }
    await write();
    break;
  }
  case 'noop':
    console.log('did nothing, successfully');
    break;
  case 'spam': {
    const line = 'x'.repeat(1023) + '\n';
    const chunk = line.repeat(1024);
    for (let i = 0; i < Number(process.env.FAULT_SPAM_MB ?? 8); i++) process.stdout.write(chunk);
    process.stdout.write('the last line of a noisy command\n', () => {
      log('end');
      process.exit(3);
    });
    break;
  }
  case 'env': {
    const key = JSON.parse(readFileSync(process.env.GOOGLE_APPLICATION_CREDENTIALS, 'utf8')).private_key;
    console.log(`token is ${process.env.FAULT_TOKEN} and password is ${process.env.SERVICE_PASSWORD}`);
    console.log(`credentials: ${key}`);
    console.log('access token ya29.a0AfH6SMBexampleexample');
    log('end');
    process.exit(1);
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
if (mode !== 'hang' && mode !== 'spam' && !(mode === 'write' && process.env.FAULT_HANG_FROM && start >= process.env.FAULT_HANG_FROM)) log('end');
