import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../shared/kernel/errors.js';
import { isRecord } from '../shared/kernel/json.js';
import { RECOVERY_WINDOW_DAYS, type SecretStore } from '../shared/platform/secrets/secret-store.js';
import { writeFileAtomic } from './durable-file.js';

const DAY_MS = 86_400_000;

/** Business tokens in memory: local mode without a data folder (`SWITCHBOARD_IN_MEMORY=true`), and tests. */
export class MemorySecretStore implements SecretStore {
  public readonly secrets = new Map<string, string>();
  /** Secrets scheduled for deletion: name → when they are gone (epoch ms), as Secrets Manager's recovery window. */
  public readonly deletions = new Map<string, number>();
  /** How many times a secret was written (Secrets Manager keeps a version per write). */
  public writes = 0;

  public constructor(private readonly now: () => number = Date.now) {}

  public async put(name: string, value: string): Promise<string> {
    // Secrets Manager refuses to write a secret scheduled for deletion; one past its date is gone and created anew.
    if (this.scheduled(name) !== undefined) throw new Error(`secret ${name} is scheduled for deletion`);
    this.writes += 1;
    this.secrets.set(name, value);
    this.persist();
    return name;
  }

  public async get(name: string): Promise<string | undefined> {
    return this.scheduled(name) === undefined ? this.secrets.get(name) : undefined;
  }

  public async scheduleDeletion(name: string, recoveryDays: number): Promise<number | undefined> {
    const pending = this.scheduled(name);
    if (pending !== undefined) return pending;
    if (!this.secrets.has(name)) return undefined;
    const days = Math.min(
      RECOVERY_WINDOW_DAYS.max,
      Math.max(RECOVERY_WINDOW_DAYS.min, Math.round(recoveryDays)),
    );
    const deleteAfter = this.now() + days * DAY_MS;
    this.deletions.set(name, deleteAfter);
    this.persist();
    return deleteAfter;
  }

  public async restore(name: string): Promise<boolean> {
    if (this.scheduled(name) !== undefined) {
      this.deletions.delete(name);
      this.persist();
    }
    return this.secrets.has(name);
  }

  /** When a scheduled deletion takes effect; a deletion whose date has passed is carried out now. */
  private scheduled(name: string): number | undefined {
    const deleteAfter = this.deletions.get(name);
    if (deleteAfter === undefined || deleteAfter > this.now()) return deleteAfter;
    this.deletions.delete(name);
    this.secrets.delete(name);
    this.persist();
    return undefined;
  }

  /** Writes the secrets where they are kept (nothing in memory). */
  protected persist(): void {
    // In memory: nothing to write.
  }
}

/** Owner only: these are customers' business tokens. */
const SECRET_FILE_MODE = 0o600;
const SECRET_FOLDER_MODE = 0o700;

/**
 * Business tokens in one JSON file under the data folder (mode 0600). The control table there records a token
 * as stored and is never asked to fetch it again, so the token must outlive a restart as the table does. Each
 * write replaces the file atomically: a crash leaves the previous secrets or the new ones, never half a file.
 * Scheduled deletions are kept beside it (`<file>.deletions.json`), so a restart keeps their dates.
 */
export class FileSecretStore extends MemorySecretStore {
  public constructor(
    private readonly path: string,
    now: () => number = Date.now,
  ) {
    super(now);
    for (const [name, value] of readStrings(path)) this.secrets.set(name, value);
    for (const [name, value] of readStrings(deletionsPath(path))) this.deletions.set(name, Number(value));
  }

  protected override persist(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: SECRET_FOLDER_MODE });
    // On disk first: a secret reported stored must be there after a restart.
    writeFileAtomic(
      this.path,
      `${JSON.stringify(Object.fromEntries(this.secrets), null, 2)}\n`,
      SECRET_FILE_MODE,
    );
    const deletions = Object.fromEntries([...this.deletions].map(([name, at]) => [name, String(at)]));
    writeFileAtomic(deletionsPath(this.path), `${JSON.stringify(deletions, null, 2)}\n`, SECRET_FILE_MODE);
  }
}

const deletionsPath = (path: string): string => `${path.replace(/\.json$/, '')}.deletions.json`;

/** The strings a file holds; a file that is not a JSON object of strings stops local mode rather than lose them. */
const readStrings = (path: string): [string, string][] => {
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not JSON: ${errorMessage(error)}`);
  }
  if (!isRecord(parsed)) throw new Error(`${path} is not a JSON object of secrets`);
  return Object.entries(parsed).map(([name, value]): [string, string] => {
    if (typeof value !== 'string') throw new Error(`${path}: the secret ${name} is not a string`);
    return [name, value];
  });
};
