import type { SecretStore } from '../shared/actions/business-tokens.js';

/** Business tokens fetched in local mode stay in memory: they are the sandbox's, and never written to disk. */
export class MemorySecretStore implements SecretStore {
  public readonly secrets = new Map<string, string>();

  public async put(name: string, value: string): Promise<string> {
    this.secrets.set(name, value);
    return name;
  }
}
