import { randomUUID } from 'node:crypto';
import type { OnboardingSettings } from '../domains/onboarding/config.js';
import { OnboardingStore } from '../domains/onboarding/repository.js';
import type { OnboardingDeps } from '../domains/onboarding/steps/context.js';
import {
  type BusinessTokenDeps,
  fetchBusinessToken,
  refreshBusinessTokens,
  TokenFetchInProgressError,
} from '../domains/wabas/business-tokens.js';
import { projectWaba } from '../domains/wabas/view.js';
import type { GraphClient } from '../platform/graph/client.js';
import type { Telemetry } from '../platform/observability/telemetry.js';
import type { MetaSecrets, SecretSource } from '../platform/secrets/meta-secrets.js';
import type { SecretStore } from '../platform/secrets/secret-store.js';
import type { ControlTable } from '../platform/store/control.js';
import type { RegisterStore } from '../platform/store/ports.js';

export interface OnboardingPorts {
  /** Calls Meta with the system user token (a step names the business token where it uses it). */
  graph: GraphClient;
  /** The WABAs table: onboarding is a register of the WABA's item. */
  wabas: RegisterStore;
  control: ControlTable;
  /** Where business tokens are kept. */
  secrets: SecretStore;
  metaSecrets: SecretSource<MetaSecrets>;
  settings: OnboardingSettings;
  identity: { appId: string; businessId: string };
  /** The WABAs domain's business-token fetch, which onboarding's first step runs. */
  businessTokens: BusinessTokenDeps;
  telemetry: Telemetry;
  now?: () => number;
}

/**
 * Onboarding over the WABAs domain: the WABA's facts from its projection, the business token from its fetch. The
 * one place that joins the two (the onboarding folder imports nothing of the WABAs domain, which shows it).
 */
export const composeOnboarding = (ports: OnboardingPorts): OnboardingDeps => {
  const now = ports.now ?? Date.now;
  return {
    store: new OnboardingStore(ports.wabas),
    control: ports.control,
    graph: ports.graph,
    secrets: ports.secrets,
    metaSecrets: ports.metaSecrets,
    settings: ports.settings,
    identity: { appId: ports.identity.appId, businessId: ports.identity.businessId },
    subject: (item) => projectWaba(item, now()),
    businessTokens: {
      fetch: async (request) => {
        // The onboarding lease already makes this run the WABA's only one; a fetch another message holds for the
        // same WABA is waited for like any busy fetch (the step is retried).
        const outcome = await fetchBusinessToken(
          ports.businessTokens,
          { v: 1, ...request },
          `onboarding:${randomUUID()}`,
        );
        if ('carriedBy' in outcome) throw new TokenFetchInProgressError(request.businessId);
        return outcome.secretName;
      },
      refetch: async (businessId) => {
        await refreshBusinessTokens(ports.businessTokens, businessId);
      },
    },
    telemetry: ports.telemetry,
    now,
  };
};
