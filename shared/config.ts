import { ConfigError } from './errors.js';

export type Env = Record<string, string | undefined>;

/**
 * Reads environment variables and collects every problem before failing, so a misconfigured function
 * reports all missing values at once, at cold start, instead of one per deploy.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  public constructor(private readonly env: Env) {}

  public required(name: string): string {
    const value = this.env[name]?.trim();
    if (value === undefined || value === '') {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  public optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  public withDefault(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  public list(name: string): string[] {
    return (this.optional(name) ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }

  public integer(name: string, fallback: number, min = 0): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      this.problems.push(`${name} must be an integer >= ${min}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  public boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  public url(name: string, fallback: string): string {
    const value = this.withDefault(name, fallback).replace(/\/+$/, '');
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('protocol');
    } catch {
      this.problems.push(`${name} must be an http(s) URL, got "${value}"`);
    }
    return value;
  }

  /** Throws one ConfigError naming every problem seen so far. */
  public done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

/** Graph API v26.0 (July 2026); Meta keeps a version about two years (README: upgrading the Graph version). */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com/v26.0';

/** Environment variable names shared by the CDK stack, the functions and local mode. */
export const ENV = {
  solutionsQueueUrl: 'SOLUTIONS_QUEUE_URL',
  wabasQueueUrl: 'WABAS_QUEUE_URL',
  threadsQueueUrl: 'THREADS_QUEUE_URL',
  passthroughQueueUrl: 'PASSTHROUGH_QUEUE_URL',
  businessTokensQueueUrl: 'BUSINESS_TOKENS_QUEUE_URL',
  claimCheckBucket: 'CLAIM_CHECK_BUCKET',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  metaSecretArn: 'META_SECRET_ARN',
  pageTokensSecretArn: 'PAGE_TOKENS_SECRET_ARN',
  businessTokenSecretPrefix: 'BUSINESS_TOKEN_SECRET_PREFIX',
  businessTokenKmsKeyId: 'BUSINESS_TOKEN_KMS_KEY_ID',
  stackName: 'SWITCHBOARD_STACK',
  businessTokensEnabled: 'BUSINESS_TOKENS_ENABLED',
  secretCacheSeconds: 'SECRET_CACHE_SECONDS',
  solutionsTable: 'SOLUTIONS_TABLE',
  wabasTable: 'WABAS_TABLE',
  threadsTable: 'THREADS_TABLE',
  controlTable: 'CONTROL_TABLE',
  metaAppId: 'META_APP_ID',
  metaBusinessId: 'META_BUSINESS_ID',
  metaPartnerBusinessIds: 'META_PARTNER_BUSINESS_IDS',
  graphApiBaseUrl: 'GRAPH_API_BASE_URL',
  reconcileSafetyMarginMs: 'RECONCILE_SAFETY_MARGIN_MS',
} as const;

export interface MetaIdentity {
  appId: string;
  businessId: string;
  partnerBusinessIds: string[];
  graphApiBaseUrl: string;
}

export const readMetaIdentity = (reader: EnvReader): MetaIdentity => ({
  appId: reader.required(ENV.metaAppId),
  businessId: reader.required(ENV.metaBusinessId),
  partnerBusinessIds: reader.list(ENV.metaPartnerBusinessIds),
  graphApiBaseUrl: reader.url(ENV.graphApiBaseUrl, DEFAULT_GRAPH_API_BASE_URL),
});
