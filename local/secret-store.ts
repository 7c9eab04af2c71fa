import type { SecretStore } from '../shared/actions/business-tokens.js';

/** Business tokens fetched in local mode stay in memory: they are the sandbox's, and never written to disk. */
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
