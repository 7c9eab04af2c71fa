import { route } from '../../platform/http/routes.js';

/**
 * What the platform sees of onboarding. Onboarding is part of the WABA aggregate (its state is a register in the
 * WABA's item), so the WABAs manifest carries these: the routes, the event type and the index.
 */
export const ONBOARDING_EVENTS = {
  stepChanged: 'WABA Onboarding Step Changed',
} as const;

export const ONBOARDING_ROUTES = [
  route('onboardings.list', 'GET', '/v1/onboardings', 'api'),
  route('onboarding.retry', 'POST', '/v1/wabas/{wabaId}/onboarding/{step}/retry', 'actions'),
  route('onboarding.skip', 'POST', '/v1/wabas/{wabaId}/onboarding/{step}/skip', 'actions'),
  route('creditLine.revoke', 'POST', '/v1/wabas/{wabaId}/credit-line/revoke', 'actions'),
] as const;

/** The WABAs table's index of onboardings by overall state (the attribute the onboarding register owns). */
export const ONBOARDING_INDEX = {
  name: 'byOnboardingState',
  partitionKey: 'onboardingState',
  sortKey: 'wabaId',
} as const;

/** Onboarding's settings (CONTRACT "Onboarding"): environment in local mode, CDK context in AWS. */
export const ONBOARDING_ENV = {
  creditLineId: 'META_CREDIT_LINE_ID',
  creditCurrency: 'META_CREDIT_CURRENCY',
  overrideCallbackUri: 'META_OVERRIDE_CALLBACK_URI',
  phoneRegistrationEnabled: 'PHONE_REGISTRATION_ENABLED',
  businessTokenGraceDays: 'BUSINESS_TOKEN_GRACE_DAYS',
  stuckAfterMinutes: 'ONBOARDING_STUCK_AFTER_MINUTES',
} as const;
