import type { Item } from '../../../kernel/registers.js';
import type { GraphClient, TokenSource } from '../../../platform/graph/client.js';
import {
  GraphApiError,
  GraphAuthError,
  GraphBudgetExhaustedError,
  GraphLinkRefusedError,
  GraphOutcomeUnknownError,
  isTransientGraphError,
} from '../../../platform/graph/errors.js';
import type { Telemetry } from '../../../platform/observability/telemetry.js';
import type { MetaSecrets, SecretSource } from '../../../platform/secrets/meta-secrets.js';
import type { SecretStore } from '../../../platform/secrets/secret-store.js';
import type { ControlTable } from '../../../platform/store/control.js';
import type { OnboardingSettings } from '../config.js';
import type { OnboardingRegister, StepRecord } from '../model.js';
import type { OnboardingStore } from '../repository.js';

/** What onboarding needs to know of a WABA: its read model's facts (the WABAs domain projects them). */
export interface OnboardingSubject {
  wabaId: string;
  active: boolean;
  solutionId: string | null;
  ownerBusinessId: string | null;
  partnerBusinessIds: string[];
  businessTokenSecret: string | null;
}

/** A customer's business token, as the WABAs domain fetches and keeps it. */
export interface BusinessTokens {
  /** Fetches (once per business and solution) and stores the token; answers its secret's name. */
  fetch(request: { wabaId: string; solutionId: string; businessId: string }): Promise<string>;
  /** Fetches every token of the business again and writes its secret (after the secret was deleted). */
  refetch(businessId: string): Promise<void>;
}

export interface OnboardingDeps {
  store: OnboardingStore;
  control: ControlTable;
  /** Calls with the system user token unless a request names the customer's business token. */
  graph: GraphClient;
  /** Where business tokens are kept: read for the steps, deleted (with a recovery window) after offboarding. */
  secrets: SecretStore;
  metaSecrets: SecretSource<MetaSecrets>;
  settings: OnboardingSettings;
  identity: { appId: string; businessId: string };
  /** The WABA's facts from its item; undefined for an item that is no WABA. */
  subject(item: Item | undefined): OnboardingSubject | undefined;
  businessTokens: BusinessTokens;
  telemetry: Telemetry;
  now?: () => number;
}

/** What one step runs with: the WABA, its onboarding so far, and the customer's business token if stored. */
export interface StepContext {
  deps: OnboardingDeps;
  wabaId: string;
  waba: OnboardingSubject;
  register: OnboardingRegister;
  now: () => number;
  /** The customer's business token (read from its secret), once the businessToken step stored it. */
  businessToken: TokenSource | undefined;
  /**
   * Writes the step's record now, before the step goes on: what must survive a crash or a silence of Meta
   * (a POST Meta did not confirm) is on the WABA before the step reads Meta to settle it.
   */
  save(record: StepRecord): Promise<void>;
}

/** One step: its next record, or throws `StepDeferred` (Meta did not answer: the job is retried). */
export type StepRun = (ctx: StepContext, record: StepRecord) => Promise<StepRecord>;

/** Meta did not answer in time (or asked us to wait): the step stays pending and the job is retried. */
export class StepDeferred extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'StepDeferred';
  }
}

/** A new record in `state`; `at` moves only when the state changes. */
export const recordAs = (
  previous: StepRecord,
  state: StepRecord['state'],
  now: number,
  fields: Partial<StepRecord> = {},
): StepRecord => {
  const { unconfirmedAt: _unconfirmed, ...kept } = previous;
  return {
    ...kept,
    code: null,
    message: null,
    ...fields,
    state,
    at: previous.state === state ? previous.at : now,
  };
};

export const done = (previous: StepRecord, now: number, fields: Partial<StepRecord> = {}) =>
  recordAs(previous, 'done', now, fields);
export const skipped = (previous: StepRecord, now: number, message: string) =>
  recordAs(previous, 'skipped', now, { message });
export const waiting = (previous: StepRecord, now: number, message: string) =>
  recordAs(previous, 'pending', now, { message });
export const failed = (
  previous: StepRecord,
  now: number,
  code: number | null,
  message: string,
  fields: Partial<StepRecord> = {},
) => recordAs(previous, 'failed', now, { ...fields, code, message });

export const WAITING_FOR_TOKEN = 'waiting for the customer\u2019s business token (step businessToken)';

/** How a Graph error ends a step: Meta refused (permanent), did not answer (deferred), or may have acted. */
export type GraphOutcome =
  | { kind: 'refused'; code: number | null; message: string }
  | { kind: 'deferred'; message: string }
  | { kind: 'unknown'; message: string };

/** Meta's message, with WhatsApp's `error_data.details` when it sent them. */
const refusal = (error: GraphApiError) =>
  `${error.graph.message}${error.graph.details === undefined ? '' : ` (${error.graph.details})`}`;

/** Classifies a failed Graph call; anything that is not Graph's (a table, the secret store) is rethrown. */
export const graphOutcome = (error: unknown): GraphOutcome => {
  if (error instanceof GraphOutcomeUnknownError) return { kind: 'unknown', message: error.message };
  if (error instanceof GraphBudgetExhaustedError) return { kind: 'deferred', message: error.message };
  if (error instanceof GraphAuthError)
    return { kind: 'refused', code: error.graph.code, message: refusal(error) };
  if (error instanceof GraphApiError) {
    return isTransientGraphError(error.httpStatus, error.graph, false)
      ? { kind: 'deferred', message: refusal(error) }
      : { kind: 'refused', code: error.graph.code, message: refusal(error) };
  }
  if (error instanceof GraphLinkRefusedError) return { kind: 'refused', code: null, message: error.message };
  throw error;
};

/**
 * Runs a read of Meta for a step: Meta's refusal becomes the step's failure (returned), a silence defers it
 * (thrown), anything else is not Meta's and is thrown as is.
 */
export const readMeta = async <T>(
  read: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; code: number | null; message: string }> => {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const outcome = graphOutcome(error);
    if (outcome.kind === 'refused') return { ok: false, code: outcome.code, message: outcome.message };
    throw new StepDeferred(outcome.message);
  }
};
