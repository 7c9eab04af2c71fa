import { existsSync, readFileSync } from 'node:fs';
import { isRecord, parseJsonObject } from '../shared/kernel/json.js';
import type { SandboxPart } from '../shared/platform/sandbox/context.js';
import { writeFileAtomic } from './durable-file.js';

/** The sandbox's parts by domain name, the key each keeps its state under. */
export type NamedParts = ReadonlyMap<string, SandboxPart>;

const snapshotOf = (parts: NamedParts): Record<string, unknown> =>
  Object.fromEntries(
    [...parts].flatMap(([name, part]) => (part.snapshot === undefined ? [] : [[name, part.snapshot()]])),
  );

/**
 * What the sandbox Graph API keeps in the data folder: the part of Meta's side that calls change (each part's
 * `snapshot`: a solution's status, a thread's owner, ...). Meta does not forget a solution we accepted when
 * Switchboard restarts, so neither does the sandbox: after a restart it answers as before, a reconciliation finds
 * nothing changed, and the read model and Meta's side agree. Everything else is the seed's, on every start. One
 * JSON file, rewritten whole (atomically) after a change.
 */
export class SandboxStateFile {
  private last = '';

  public constructor(private readonly path: string) {}

  /** Restores what an earlier run saved, if anything; a file that is not a JSON object is an error. */
  public load(parts: NamedParts): void {
    if (!existsSync(this.path)) return;
    const saved = parseJsonObject(readFileSync(this.path, 'utf8'));
    if (saved === undefined)
      throw new Error(
        `${this.path} is not the sandbox's state (delete it to start the sandbox from its seed)`,
      );
    for (const [name, part] of parts) {
      const kept = saved[name];
      if (isRecord(kept)) part.restore?.(kept);
    }
    this.last = JSON.stringify(snapshotOf(parts));
  }

  /** Writes the state if it changed since the last write. */
  public save(parts: NamedParts): void {
    const text = JSON.stringify(snapshotOf(parts));
    if (text === this.last) return;
    writeFileAtomic(this.path, `${text}\n`);
    this.last = text;
  }
}
