/**
 * A loopback fake of the BigQuery REST API v2, for tests: the routes the Node client uses
 * (jobs.query, jobs.getQueryResults, jobs.insert incl. dry runs, jobs.get, tables.get,
 * datasets.get, datasets.insert), each with or without the `/bigquery/v2` prefix, answered
 * by a real DuckDB (see engine.ts). It counts calls per route and bytes, and can be told to
 * fail the next calls (500/503/403 rateLimitExceeded…), to lose the answer of a call it
 * carried out (`loseNext`: the job exists and runs, the client sees a 503 or a dropped
 * connection), to fail jobs inside BigQuery (`status.errorResult`), or to be slow
 * (`jobComplete: false`: the job runs, and commits, only after its polls, so it can be
 * cancelled and can collide with other jobs). Job ids are BigQuery's: a second insert of
 * one is a 409 `duplicate`; jobs.cancel stops a running job.
 *
 * In-process: `const fake = await FakeBigQuery.start()`, then `fake.endpoint`. From another
 * process: `node test/fake-bigquery/main.mjs` prints `{"port":…,"endpoint":…}` and accepts
 * the same controls over HTTP under `/_fake/` (see `#control`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeEngine, FakeError, type SeedSpec } from './engine.js';
import { type JobStore, type Route, type StoredJob, errorBody, handleApi } from './routes.js';
import type { RestParameter } from './values.js';

export type { Route } from './routes.js';
export type { SeedSpec, SeedType } from './engine.js';

/** A forced failure of the next call (of one route, or of any). */
export interface Fault {
  readonly status: number;
  readonly reason: string;
  readonly message?: string;
  readonly route?: Route;
}

/** One query the fake received, for assertions on labels, caps and parameters. */
export interface LoggedQuery {
  readonly route: Route;
  readonly sql: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly maximumBytesBilled: string | undefined;
  readonly params: readonly RestParameter[];
  readonly dryRun: boolean;
  /** The job id it ran under (dry runs: the one asked for, if any). */
  readonly jobId?: string | undefined;
  /** `configuration.jobTimeoutMs`, when the job set one. */
  readonly jobTimeoutMs?: string | undefined;
}

/** A lost answer: the call was carried out, then the client got a 503 (default) or a dropped connection. */
export interface LostAnswer {
  readonly route?: Route;
  readonly as?: 503 | 'drop';
}

/** Job labels, and a filter on them (every given label must match). */
export type Labels = Readonly<Record<string, string>>;

function matches(labels: Labels, only: Labels | undefined): boolean {
  return only === undefined || Object.entries(only).every(([key, value]) => labels[key] === value);
}

/** Options for starting the fake. */
export interface FakeOptions {
  readonly project?: string;
  readonly location?: string;
  /** Clock for last-modified times (epoch ms). */
  readonly now?: () => number;
}

/** The fake server and its controls. */
export class FakeBigQuery implements JobStore {
  readonly project: string;
  readonly location: string;
  readonly engine: FakeEngine;
  /** Calls per route since the last reset. */
  readonly calls = new Map<Route, number>();
  /** Queries received since the last reset (jobs.query and jobs.insert, dry runs included). */
  readonly queries: LoggedQuery[] = [];
  /** Authorization headers seen (there should be none against a loopback endpoint). */
  readonly authorizations: string[] = [];
  bytesProcessed = 0;
  bytesBilled = 0;
  /** Clock for last-modified times; tests may replace it. */
  now: () => number;
  readonly jobs = new Map<string, StoredJob>();
  #faults: { remaining: number; fault: Fault }[] = [];
  #losses: { remaining: number; loss: LostAnswer }[] = [];
  #slow: { remaining: number; polls: number; only?: Labels | undefined } = { remaining: 0, polls: 0 };
  #jobFaults: { remaining: number; reason: string; only?: Labels | undefined } = { remaining: 0, reason: '' };
  #sequence = 0;
  readonly #server: http.Server;
  #port = 0;

  private constructor(engine: FakeEngine, options: Required<FakeOptions>) {
    this.engine = engine;
    this.project = options.project;
    this.location = options.location;
    this.now = options.now;
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: FakeOptions = {}): Promise<FakeBigQuery> {
    let fake: FakeBigQuery | undefined;
    const now = options.now ?? Date.now;
    const settings = { project: options.project ?? 'fake-project', location: options.location ?? 'US', now };
    const engine = await FakeEngine.create({ ...settings, now: () => (fake ? fake.now() : now()) });
    fake = new FakeBigQuery(engine, settings);
    await new Promise<void>((resolve) => fake!.#server.listen(0, '127.0.0.1', resolve));
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** The port it listens on. */
  get port(): number {
    return this.#port;
  }

  /** The URL to pass as `apiEndpoint`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Calls of one route since the last reset. */
  count(route: Route): number {
    return this.calls.get(route) ?? 0;
  }

  /** Query jobs run (not dry runs) since the last reset. */
  get queryJobs(): number {
    return this.queries.filter((q) => !q.dryRun).length;
  }

  /** Fails the next `times` calls (of `fault.route`, or of any route) with an HTTP error. */
  failNext(times: number, fault: Fault): void {
    this.#faults.push({ remaining: times, fault });
  }

  /**
   * Loses the answer of the next `times` calls (of `loss.route`, or of any): the call is
   * carried out (a job is created and runs), then the client gets a 503 or, with
   * `as: 'drop'`, a connection closed without an answer.
   */
  loseNext(times: number, loss: LostAnswer = {}): void {
    this.#losses.push({ remaining: times, loss });
  }

  /**
   * Makes the next `times` queries (with the labels `only`, when given) answer
   * `jobComplete: false` and run after `polls` polls.
   */
  slowNext(times: number, polls = 2, only?: Labels): void {
    this.#slow = { remaining: times, polls, only };
  }

  /** Makes the next `times` queries (with the labels `only`) fail inside BigQuery with `reason` in `status.errorResult`. */
  failNextJob(times: number, reason: string, only?: Labels): void {
    this.#jobFaults = { remaining: times, reason, only };
  }

  /** Creates a table with rows (replacing it), optionally DAY-partitioned on a column. */
  seed(table: string, spec: SeedSpec): Promise<void> {
    return this.engine.seed(table, spec);
  }

  /** Runs DuckDB SQL directly (set-up and inspection). */
  duck(sql: string): Promise<unknown[][]> {
    return this.engine.duck(sql);
  }

  /** Clears counters, the query log and pending faults. */
  reset(): void {
    this.calls.clear();
    this.queries.length = 0;
    this.authorizations.length = 0;
    this.bytesProcessed = 0;
    this.bytesBilled = 0;
    this.#faults = [];
    this.#losses = [];
    this.#slow = { remaining: 0, polls: 0 };
    this.#jobFaults = { remaining: 0, reason: '' };
  }

  /** Stops listening and closes DuckDB. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.engine.serial(async () => this.engine.close());
  }

  // ---- JobStore, used by routes.ts ----

  /** A fresh job id. */
  nextJobId(): string {
    return `fake_job_${++this.#sequence}`;
  }

  /** Records a received query. */
  logQuery(query: LoggedQuery): void {
    this.queries.push(query);
  }

  /** Polls a query with these labels should take before completing (0: complete at once). */
  takeSlow(labels: Labels): number {
    if (this.#slow.remaining <= 0 || !matches(labels, this.#slow.only)) return 0;
    this.#slow.remaining--;
    return this.#slow.polls;
  }

  /** The job-level failure reason for a query with these labels, if one was asked for. */
  takeJobFault(labels: Labels): string | undefined {
    if (this.#jobFaults.remaining <= 0 || !matches(labels, this.#jobFaults.only)) return undefined;
    this.#jobFaults.remaining--;
    return this.#jobFaults.reason;
  }

  #takeLoss(route: Route): LostAnswer | undefined {
    const head = this.#losses.find((l) => l.remaining > 0 && (l.loss.route === undefined || l.loss.route === route));
    if (!head) return undefined;
    head.remaining--;
    return head.loss;
  }

  #takeFault(route: Route): Fault | undefined {
    const head = this.#faults.find((f) => f.remaining > 0 && (f.fault.route === undefined || f.fault.route === route));
    if (!head) return undefined;
    head.remaining--;
    return head.fault;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const upload = url.pathname.startsWith('/upload/');
    const raw = upload ? '' : bytes.toString();
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (url.pathname.startsWith('/_fake/')) return send(200, await this.#control(req.method ?? 'GET', url.pathname.slice(7), body));
      if (req.headers.authorization) this.authorizations.push(req.headers.authorization);
      // `/bigquery/v2` is optional, also after `/upload`.
      const path = url.pathname.replace(/^(\/upload)?\/bigquery\/v2/, '$1');
      const files = upload ? { bytes, contentType: String(req.headers['content-type'] ?? '') } : undefined;
      await handleApi(this, { method: req.method ?? 'GET', path, body, upload: files }, {
        count: (route) => this.calls.set(route, this.count(route) + 1),
        fault: (route) => this.#takeFault(route),
        send,
        lose: (route) => {
          const loss = this.#takeLoss(route);
          if (!loss) return false;
          if (loss.as === 'drop') res.destroy();
          else send(503, errorBody(503, 'backendError', 'fake: the answer was lost (the call was carried out)'));
          return true;
        },
      });
    } catch (error) {
      if (error instanceof FakeError) return send(error.status, errorBody(error.status, error.reason, error.message));
      send(500, errorBody(500, 'internalError', `fake BigQuery bug: ${String((error as Error)?.stack ?? error)}`));
    }
  }

  /** Controls for a fake in another process: seed, duck, fail, fail-job, slow, stats, reset. */
  async #control(method: string, action: string, body: Record<string, unknown>): Promise<unknown> {
    switch (`${method} ${action}`) {
      case 'POST seed':
        return this.seed(String(body['table']), body['spec'] as SeedSpec).then(() => ({ ok: true }));
      case 'POST duck':
        return { rows: await this.duck(String(body['sql'])) };
      case 'POST fail':
        return this.failNext(Number(body['times'] ?? 1), body as unknown as Fault), { ok: true };
      case 'POST fail-job':
        return this.failNextJob(Number(body['times'] ?? 1), String(body['reason']), body['only'] as Labels | undefined), { ok: true };
      case 'POST lose':
        return this.loseNext(Number(body['times'] ?? 1), body as LostAnswer), { ok: true };
      case 'POST slow':
        return this.slowNext(Number(body['times'] ?? 1), Number(body['polls'] ?? 2), body['only'] as Labels | undefined), { ok: true };
      case 'GET stats':
        return { calls: Object.fromEntries(this.calls), queries: this.queries, bytesProcessed: this.bytesProcessed, bytesBilled: this.bytesBilled };
      case 'POST reset':
        return this.reset(), { ok: true };
      default:
        throw new FakeError(404, 'notFound', `fake BigQuery: no control ${method} ${action}`);
    }
  }
}
