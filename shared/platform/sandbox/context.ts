import type { SandboxSolution, SandboxWaba } from './data.js';

/** One Graph request as the sandbox's route modules see it. */
export interface SandboxRequest {
  method: string;
  url: URL;
  host: string;
  node: string;
  edge: string | undefined;
  query: Record<string, string>;
}

/** An answer: the status and JSON body Graph would send. */
export interface SandboxAnswer {
  status: number;
  body: unknown;
}

/** The sandbox's state and settings, shared by its route modules. */
export interface SandboxState {
  appId: string;
  businessId: string;
  pageSize: number;
  now: () => number;
  wabas: SandboxWaba[];
  solutions: Map<string, SandboxSolution>;
  threads: Map<string, { owner: string; expiresAt: number }>;
  /** Instagram professional account → the Facebook Page it is linked to. */
  instagramLinks: ReadonlyMap<string, string>;
  /** Sends the `partner_solutions` webhook Meta would send after a solution changed. */
  notify(solution: SandboxSolution): void;
}

export const ok = (body: unknown): SandboxAnswer => ({ status: 200, body });
