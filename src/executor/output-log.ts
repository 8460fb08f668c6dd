/**
 * A command's output: written to its log file (opened only on the first byte, private to the
 * user), with the tail kept for messages and every secret masked before it reaches either.
 * Memory stays bounded however much a command prints: chunks go straight to the file. A log
 * that cannot be written (a full disk) only loses the file: the tail is kept and the run goes on.
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import { describeWriteFailure, makePrivateDir, PRIVATE_FILE_MODE, writeAll } from '../state/disk.js';

const TAIL_BYTES = 4096;
/** A partial line longer than this is written without waiting for its end. */
const MAX_PENDING = 64 * 1024;
/** What a secret is replaced with. */
export const MASK = '***';

/** Names of environment variables whose values are secrets, whoever set them. */
const SECRET_NAME = /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CLIENT_SECRET|AUTH)(_|$)/i;
/** Secrets recognisable by their shape: PEM private keys, Google access tokens, bearer tokens. */
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bya29\.[0-9A-Za-z_.-]+/g,
  /\b(Bearer\s+)[0-9A-Za-z_.~+/=-]{8,}/g,
];
/** Keys of a Google credentials file whose values are secret. */
const CREDENTIAL_KEYS = ['private_key', 'private_key_id', 'client_secret', 'refresh_token', 'access_token'];

/** Masks secret values in text: values of secret environment variables, credential file contents, token shapes. */
export class Redactor {
  readonly #secrets: readonly string[];

  constructor(secrets: Iterable<string>) {
    // Longest first, so that a secret containing another is masked whole. Very short values
    // would mask ordinary words and numbers, so they are left out.
    const unique = new Set([...secrets].filter((s) => s.trim().length >= 4));
    for (const s of [...unique]) unique.add(JSON.stringify(s).slice(1, -1));
    this.#secrets = [...unique].sort((a, b) => b.length - a.length);
  }

  /**
   * The secrets of dagrun's environment and of the targets' `build.env`: variables with
   * secret-looking names, those named in dagrun's `DAGRUN_SECRET_ENV` (comma-separated), and
   * the secret fields of the file `GOOGLE_APPLICATION_CREDENTIALS` points to.
   */
  static fromEnvironment(processEnv: Readonly<Record<string, string | undefined>>, buildEnvs: readonly Readonly<Record<string, string>>[] = []): Redactor {
    const named = new Set((processEnv.DAGRUN_SECRET_ENV ?? '').split(',').map((n) => n.trim()).filter(Boolean));
    const secrets: string[] = [];
    for (const env of [processEnv, ...buildEnvs]) {
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) continue;
        if (name === 'GOOGLE_APPLICATION_CREDENTIALS') secrets.push(...credentialSecrets(value));
        else if (named.has(name) || SECRET_NAME.test(name)) secrets.push(value);
      }
    }
    return new Redactor(secrets);
  }

  /** A redactor that also masks `more`. */
  with(more: Iterable<string>): Redactor {
    return new Redactor([...this.#secrets, ...more]);
  }

  /** The text with every secret replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    for (const shape of SECRET_SHAPES) out = out.replace(shape, (_whole, prefix: unknown) => (typeof prefix === 'string' && /^Bearer/.test(prefix) ? `${prefix}${MASK}` : MASK));
    return out;
  }
}

/** Secret fields of a service-account or user credentials file (and each line of a private key). */
function credentialSecrets(file: string | undefined): string[] {
  if (!file) return [];
  try {
    if (statSync(file).size > 1_000_000) return [];
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const values = CREDENTIAL_KEYS.map((k) => json[k]).filter((v): v is string => typeof v === 'string');
    const keyLines = values.flatMap((v) => (v.includes('PRIVATE KEY') ? v.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')) : []));
    return [...values, ...keyLines];
  } catch {
    return []; // unreadable or not JSON: nothing of it can be recognised anyway
  }
}

/**
 * A forced cut (a line longer than `MAX_PENDING`) keeps this much of the line back, so that a
 * secret printed across the cut is masked whole with the text that follows it.
 */
const CARRY = 4096;
/** However secret-looking the end of a line is, no more than this is held back: memory stays bounded. */
const MAX_HELD = 1024 * 1024;
/** A private key that has begun and not yet ended: held back until its end arrives. */
const OPEN_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----(?![\s\S]*-----END [A-Z ]*PRIVATE KEY-----)/;

/** Told when a command's log cannot be written (a full disk): the run goes on, the tail stays in memory. */
type LogFailureListener = (message: string) => void;
let logFailureListener: LogFailureListener | undefined;
/** Logs that could not be written since the listener was set: only the first is said (a full disk fails them all). */
let logFailures = 0;

/** Sets who is told when a log file cannot be written (the run's reporter); undefined: nobody. */
export function onLogWriteFailure(listener: LogFailureListener | undefined): void {
  logFailureListener = listener;
  logFailures = 0;
}

function logWriteFailed(message: string): void {
  if (logFailures++ === 0) logFailureListener?.(`${message} (a later log that cannot be written is not said again; a failed range's message says it)`);
}

/** Collects output chunks of one command. */
export class OutputLog {
  readonly #file: string;
  readonly #redact: (text: string) => string;
  #fd: number | undefined;
  #tail = '';
  #pending = '';
  #written = false;
  /** Why the log could not be written; from then on only the tail is kept. */
  #failure: string | undefined;
  /** Chunks split characters anywhere: a multi-byte one across two chunks must stay whole. */
  readonly #decoder = new StringDecoder('utf8');

  /** `redact` masks secrets in each complete line before it is written or kept. */
  constructor(file: string, redact: (text: string) => string = (text) => text) {
    this.#file = file;
    this.#redact = redact;
  }

  /**
   * Appends a chunk. Lines are masked whole, so a secret split across two chunks is still
   * caught; a line too long to wait for is cut where no secret spans the cut.
   */
  write(chunk: Buffer): void {
    this.#pending += this.#decoder.write(chunk);
    const pending = this.#pending;
    let cut = pending.length > MAX_PENDING ? this.#safeCut(pending, pending.length - CARRY) : pending.lastIndexOf('\n') + 1;
    const key = OPEN_PRIVATE_KEY.exec(pending.slice(0, cut));
    if (key) cut = key.index;
    if (pending.length > MAX_HELD) cut = pending.length; // give up holding back: what matched so far is masked
    if (cut === 0) return;
    this.#emit(pending.slice(0, cut));
    this.#pending = pending.slice(cut);
  }

  /**
   * The latest cut at or before `at` that splits no secret: masking both sides apart gives
   * what masking the whole gives. 0 when none is found near enough (the text is held back).
   */
  #safeCut(text: string, at: number): number {
    const whole = this.#redact(text);
    for (const back of [0, 256, 4096, 16384, 32768]) {
      const cut = at - back;
      if (cut <= 0) return 0;
      if (this.#redact(text.slice(0, cut)) + this.#redact(text.slice(cut)) === whole) return cut;
    }
    return 0;
  }

  #emit(text: string): void {
    const masked = this.#redact(text);
    this.#tail = (this.#tail + masked).slice(-TAIL_BYTES);
    if (this.#failure !== undefined) return;
    try {
      if (this.#fd === undefined) {
        makePrivateDir(path.dirname(this.#file));
        this.#fd = openSync(this.#file, 'a', PRIVATE_FILE_MODE);
      }
      writeAll(this.#fd, masked);
      this.#written = true;
    } catch (error) {
      // A full disk must not end the run: the command goes on, its tail stays in memory.
      this.#failure = `${describeWriteFailure(this.#file, error)}; the log is incomplete, its last lines are kept for messages`;
      this.#closeFile();
      logWriteFailed(this.#failure);
    }
  }

  #closeFile(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {
      // closing flushes nothing more (writes are synchronous): a failure here loses nothing
    }
    this.#fd = undefined;
  }

  /** Writes what is left of a last unfinished line and closes the file. */
  close(): void {
    this.#pending += this.#decoder.end();
    if (this.#pending !== '') this.#emit(this.#pending);
    this.#pending = '';
    this.#closeFile();
  }

  /** The last lines written (at most `lines`), and a last line saying so when the log could not be written. */
  tail(lines = 20): string {
    const kept = this.#tail.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-lines).join('\n');
    return this.#failure === undefined ? kept : `${kept}${kept === '' ? '' : '\n'}(dagrun: ${this.#failure})`;
  }

  /** Why the log file could not be written, if it could not. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The file, if anything was written to it. */
  get file(): string | undefined {
    return this.#written ? this.#file : undefined;
  }
}
