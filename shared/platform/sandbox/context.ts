/**
 * The sandbox Graph API's kit (local mode and the rehearsal run it in place of Meta): each domain answers its own
 * Graph calls in a part of its own (`sandbox.ts` in its folder), over one shared world.
 */

/** Which of the world's tokens a request carried. */
export type TokenKind = 'system' | 'page' | 'business';

/** One Graph request as a sandbox part sees it. */
export interface SandboxRequest {
  method: string;
  url: URL;
  host: string;
  node: string;
  edge: string | undefined;
  query: Record<string, string>;
  /** A JSON object body, if the call sent one (else empty). */
  body: Record<string, unknown>;
  /** The kind of token the call carried: every call carries one the sandbox issued, or it is refused (190). */
  token: TokenKind;
}

/** An answer: the status and JSON body Graph would send. */
export interface SandboxAnswer {
  status: number;
  body: unknown;
}

export const ok = (body: unknown): SandboxAnswer => ({ status: 200, body });

/** A Graph error answer: the status, Meta's code and subcode, its message, and WhatsApp's `error_data.details`. */
export class GraphFailure extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: number,
    message: string,
    public readonly subcode?: number,
    public readonly details?: string,
  ) {
    super(message);
  }
}

/** Refuses a call made with the wrong kind of token, as Meta does (190). */
export const requireToken = (request: SandboxRequest, ...kinds: TokenKind[]): void => {
  if (!kinds.includes(request.token))
    throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');
};

/** Names one part's state in the world, typed: another part that needs it imports the key. */
export class SandboxKey<T> {
  declare private readonly type: T;
  public constructor(public readonly name: string) {}
}

/** What every part shares: our app and portfolio, the clock, tokens, Meta's webhooks to us, each other's state. */
export interface SandboxWorld {
  readonly appId: string;
  readonly businessId: string;
  /** Items per page of a listing: small, so the local demo shows paging. */
  readonly pageSize: number;
  now(): number;
  /** A new token of a kind (a customer's business token), recognised on later calls. */
  issueToken(kind: TokenKind): string;
  /** Sends a signed webhook delivery to Switchboard, as Meta would (a little later). */
  deliver(body: Record<string, unknown>): void;
  provide<T>(key: SandboxKey<T>, value: T): void;
  /** Another part's state; a part that is not there is a programming error. */
  get<T>(key: SandboxKey<T>): T;
}

/** One domain's part of the sandbox: answers the calls it knows, `undefined` for the others. */
export interface SandboxPart {
  answer(request: SandboxRequest): SandboxAnswer | undefined;
  /** What calls changed in Meta's world (a solution's status, a thread's owner), to keep across restarts. */
  snapshot?(): Record<string, unknown>;
  /** Lays what an earlier run kept over the seed; anything unreadable is left at the seed's value. */
  restore?(saved: Record<string, unknown>): void;
}

export type SandboxFactory = (world: SandboxWorld) => SandboxPart;
