import { SandboxKey } from '../../platform/sandbox/context.js';

/** A customer WABA's phone number in the sandbox. */
export interface SandboxNumber {
  id: string;
  display_phone_number: string;
  platform_type: 'CLOUD_API' | 'NOT_APPLICABLE';
  /** The two-step verification PIN, once set (by a registration, or by another partner). */
  pin: string | null;
  /** Register calls (epoch ms), for Meta's 10 per 72 hours. */
  registerCalls: number[];
}

export interface SandboxWabaState {
  owner: string;
  /** App ID → its override callback URI (null: the app's own callback). */
  subscriptions: Map<string, string | null>;
  numbers: SandboxNumber[];
  /** The credential that pays for its conversations (set by share-and-attach). */
  primaryFundingId: string | null;
  /** The WABA's currency, once a credit line set it (a later attach in another currency is refused). */
  currency: string | null;
}

export const SANDBOX_ONBOARDING = new SandboxKey<Map<string, SandboxWabaState>>('onboarding');
