import { isRecord } from '../../kernel/json.js';
import type { DomainManifest } from '../../platform/domain/domain.js';
import { route } from '../../platform/http/routes.js';
import { isWhatsApp } from '../../platform/queue/envelope.js';
import { ONBOARDING_EVENTS, ONBOARDING_INDEX, ONBOARDING_ROUTES } from '../onboarding/manifest.js';
import { namesNoWaba } from './partner-events.js';

export const WABA_EVENTS = {
  onboarded: 'WABA Onboarded',
  offboarded: 'WABA Offboarded',
  updated: 'WABA Updated',
} as const;

/** Environment variables of the WABAs domain's own settings. */
export const WABA_ENV = {
  businessTokensEnabled: 'BUSINESS_TOKENS_ENABLED',
  businessTokenSecretPrefix: 'BUSINESS_TOKEN_SECRET_PREFIX',
  businessTokenKmsKeyId: 'BUSINESS_TOKEN_KMS_KEY_ID',
} as const;

/** Where a deployment keeps customers' business-token secrets (one per business): `<stack>/business-tokens/`. */
export const businessTokenSecretPrefix = (stackName: string): string => `${stackName}/business-tokens/`;

/**
 * The queue of onboarding jobs the WABAs consumer sends after PARTNER_ADDED, our app's install and an offboarding
 * (and reconciliation after it discovers a WABA); the business token is the onboarding's first step, and this
 * queue carried it alone before onboarding had more steps (its name and logical ID stay).
 */
export const BUSINESS_TOKEN_JOBS = {
  name: 'business-tokens',
  title: 'BusinessTokens',
  enabledBy: 'businessTokens',
} as const;

/**
 * Customer WABAs onboarded through our solutions: `account_update` webhooks and reconciliation readings. An
 * `account_update` about no WABA (`namesNoWaba`) stays in passthrough for other systems. A WABA's onboarding
 * (`shared/domains/onboarding/`) is part of its item: its routes, event and index are listed here.
 */
export const wabasManifest = {
  name: 'wabas',
  title: 'Wabas',
  table: {
    partitionKey: 'wabaId',
    indexes: [
      { name: 'bySolution', partitionKey: 'solutionId', sortKey: 'wabaId' },
      { name: 'byObservedSolution', partitionKey: 'observedSolutionId', sortKey: 'wabaId' },
      ONBOARDING_INDEX,
    ],
  },
  takes: (change) =>
    isWhatsApp(change) &&
    change.kind === 'account_update' &&
    !(isRecord(change.change) && isRecord(change.change.value) && namesNoWaba(change.change.value)),
  routes: [
    route('wabas.list', 'GET', '/v1/wabas', 'api'),
    route('wabas.get', 'GET', '/v1/wabas/{wabaId}', 'api'),
    route('tokens.refresh', 'POST', '/v1/business-tokens/{businessId}/refresh', 'actions'),
    ...ONBOARDING_ROUTES,
  ],
  eventTypes: [...Object.values(WABA_EVENTS), ...Object.values(ONBOARDING_EVENTS)],
  jobs: [BUSINESS_TOKEN_JOBS],
} as const satisfies DomainManifest;
