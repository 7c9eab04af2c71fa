import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClaimStore } from '../shared/platform/queue/ports.js';

/** Claim checks in a local folder (kept across restarts), or in memory when no folder is given. */
export class LocalClaimStore implements ClaimStore {
  private readonly memory = new Map<string, string>();

  public constructor(private readonly folder?: string) {}

  public async put(key: string, body: string): Promise<void> {
    if (this.folder === undefined) {
      this.memory.set(key, body);
      return;
    }
    const path = join(this.folder, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body, 'utf8');
  }

  public async get(key: string): Promise<string> {
    if (this.folder === undefined) {
      const body = this.memory.get(key);
      if (body === undefined) throw new Error(`claim check ${key} not found`);
      return body;
    }
    return readFile(join(this.folder, key), 'utf8');
  }
}
