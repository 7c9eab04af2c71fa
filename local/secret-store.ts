import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretStore } from '../shared/domains/wabas/business-tokens.js';
import { errorMessage } from '../shared/kernel/errors.js';
import { isRecord } from '../shared/kernel/json.js';
import { writeFileAtomic } from './durable-file.js';

/** Business tokens in memory: local mode without a data folder (`SWITCHBOARD_IN_MEMORY=true`), and tests. */
export class MemorySecretStore implements SecretStore {
  public readonly secrets = new Map<string, string>();
  /** How many times a secret was written (Secrets Manager keeps a version per write). */
  public writes = 0;

  public async put(name: string, value: string): Promise<string> {
    this.writes += 1;
    this.secrets.set(name, value);
    return name;
  }
}

/** Owner only: these are customers' business tokens. */
const SECRET_FILE_MODE = 0o600;
const SECRET_FOLDER_MODE = 0o700;

/**
 * Business tokens in one JSON file under the data folder (mode 0600). The control table there records a token
 * as stored and is never asked to fetch it again, so the token must outlive a restart as the table does. Each
 * write replaces the file atomically: a crash leaves the previous secrets or the new ones, never half a file.
 */
export class FileSecretStore extends MemorySecretStore {
  public constructor(private readonly path: string) {
    super();
    for (const [name, value] of readSecrets(path)) this.secrets.set(name, value);
  }

  public override async put(name: string, value: string): Promise<string> {
    // On disk first: a secret reported stored must be there after a restart.
    const next = { ...Object.fromEntries(this.secrets), [name]: value };
    mkdirSync(dirname(this.path), { recursive: true, mode: SECRET_FOLDER_MODE });
    writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`, SECRET_FILE_MODE);
    return super.put(name, value);
  }
}

/** The secrets a file holds; a file that is not a JSON object of strings stops local mode rather than lose them. */
const readSecrets = (path: string): [string, string][] => {
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
