/**
 * A command's output: written to its log file (opened only on the first byte), with the
 * tail kept for messages and every secret masked before it reaches either. Memory stays
 * bounded however much a command prints: chunks go straight to the file.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';

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

/** Collects output chunks of one command. */
export class OutputLog {
  readonly #file: string;
  readonly #redact: (text: string) => string;
  #fd: number | undefined;
  #tail = '';
  #pending = '';
  #written = false;
  /** Chunks split characters anywhere: a multi-byte one across two chunks must stay whole. */
  readonly #decoder = new StringDecoder('utf8');

  /** `redact` masks secrets in each complete line before it is written or kept. */
  constructor(file: string, redact: (text: string) => string = (text) => text) {
    this.#file = file;
    this.#redact = redact;
  }

  /** Appends a chunk. Lines are masked whole, so a secret split across two chunks is still caught. */
  write(chunk: Buffer): void {
    this.#pending += this.#decoder.write(chunk);
    const cut = this.#pending.length > MAX_PENDING ? this.#pending.length : this.#pending.lastIndexOf('\n') + 1;
    if (cut === 0) return;
    this.#emit(this.#pending.slice(0, cut));
    this.#pending = this.#pending.slice(cut);
  }

  #emit(text: string): void {
    const masked = this.#redact(text);
    if (this.#fd === undefined) {
      mkdirSync(path.dirname(this.#file), { recursive: true });
      this.#fd = openSync(this.#file, 'a');
    }
    writeSync(this.#fd, masked);
    this.#written = true;
    this.#tail = (this.#tail + masked).slice(-TAIL_BYTES);
  }

  /** Writes what is left of a last unfinished line and closes the file. */
  close(): void {
    this.#pending += this.#decoder.end();
    if (this.#pending !== '') this.#emit(this.#pending);
    this.#pending = '';
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** The last lines written (at most `lines`). */
  tail(lines = 20): string {
    return this.#tail.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-lines).join('\n');
  }

  /** The file, if anything was written. */
  get file(): string | undefined {
    return this.#written ? this.#file : undefined;
  }
}
