import { ConfigError } from '../../kernel/errors.js';
import { DEFAULT_GRAPH_API_BASE_URL, ENV } from './constants.js';

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

  /** An optional value in a format of its own: `parse` throws to report it malformed. */
  public parsed<T>(name: string, parse: (raw: string) => T, fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    try {
      return parse(raw);
    } catch (error) {
      this.problems.push(`${name} ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  }

  /** Throws one ConfigError naming every problem seen so far. */
  public done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

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
