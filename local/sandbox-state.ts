import { existsSync, readFileSync } from 'node:fs';
import { isRecord, parseJsonObject } from '../shared/kernel/json.js';
import type { SandboxState } from '../shared/platform/sandbox/context.js';
import { writeFileAtomic } from './durable-file.js';

/**
 * What the sandbox Graph API keeps in the data folder: the part of Meta's side that actions change (each
 * solution's status, each thread's owner). Meta does not forget a solution we accepted when Switchboard
 * restarts, so neither does the sandbox: after a restart it answers as before, a reconciliation finds
 * nothing changed, and the read model and Meta's side agree. The WABAs and the solutions' other fields
 * are the seed's, on every start.
 */
export interface SavedSandbox {
  solutions: Record<string, { status: string; status_for_pending_request: string }>;
  threads: Record<string, { owner: string; expiresAt: number }>;
}

export const snapshotOf = (state: SandboxState): SavedSandbox => ({
  solutions: Object.fromEntries(
    [...state.solutions].map(([id, solution]) => [
      id,
      { status: solution.status, status_for_pending_request: solution.status_for_pending_request },
    ]),
  ),
  threads: Object.fromEntries(state.threads),
});

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Lays a saved snapshot over the seed; anything unreadable in it is left at the seed's value. */
export const restore = (state: SandboxState, saved: Record<string, unknown>): void => {
  const solutions = isRecord(saved.solutions) ? saved.solutions : {};
  for (const [id, value] of Object.entries(solutions)) {
    const solution = state.solutions.get(id);
    const status = isRecord(value) ? text(value.status) : undefined;
    const pending = isRecord(value) ? text(value.status_for_pending_request) : undefined;
    if (solution === undefined || status === undefined || pending === undefined) continue;
    solution.status = status;
    solution.status_for_pending_request = pending;
  }
  const threads = isRecord(saved.threads) ? saved.threads : {};
  for (const [key, value] of Object.entries(threads)) {
    const owner = isRecord(value) ? text(value.owner) : undefined;
    const expiresAt = isRecord(value) ? value.expiresAt : undefined;
    if (owner !== undefined && typeof expiresAt === 'number') state.threads.set(key, { owner, expiresAt });
  }
};

/** The sandbox's state in one JSON file, rewritten whole (atomically) after each change. */
export class SandboxStateFile {
  private last = '';

  public constructor(private readonly path: string) {}

  /** Restores what an earlier run saved, if anything; a file that is not a JSON object is an error. */
  public load(state: SandboxState): void {
    if (!existsSync(this.path)) return;
    const saved = parseJsonObject(readFileSync(this.path, 'utf8'));
    if (saved === undefined)
      throw new Error(
        `${this.path} is not the sandbox's state (delete it to start the sandbox from its seed)`,
      );
    restore(state, saved);
    this.last = JSON.stringify(snapshotOf(state));
  }

  /** Writes the state if it changed since the last write. */
  public save(state: SandboxState): void {
    const text = JSON.stringify(snapshotOf(state));
    if (text === this.last) return;
    writeFileAtomic(this.path, `${text}\n`);
    this.last = text;
  }
}
