import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DependencyUnavailableError } from '../../kernel/errors.js';
import { isRecord } from '../../kernel/json.js';
import { META_SECRET_KEYS, OPTIONAL_META_SECRET_KEYS } from '../config/constants.js';
import type { Env } from '../config/env.js';

export interface MetaSecrets {
  appSecret: string;
  appSecretPrevious: string | undefined;
  verifyToken: string;
  systemUserToken: string;
  /** `META_REGISTRATION_PIN`: the PIN phone number registration sends; absent or empty when not set. */
  registrationPin?: string;
}

/** A cached secret: `get(true)` reads the store again (after a token was refused, for example). */
export interface SecretSource<T> {
  get(forceFetch?: boolean): Promise<T>;
}

const text = (record: Record<string, unknown>, key: string): string => {
  const value = record[key];
  return typeof value === 'string' ? value.trim() : '';
};

export const parseMetaSecrets = (record: Record<string, unknown>): MetaSecrets => ({
  appSecret: text(record, META_SECRET_KEYS.appSecret),
  appSecretPrevious: text(record, META_SECRET_KEYS.appSecretPrevious) || undefined,
  verifyToken: text(record, META_SECRET_KEYS.verifyToken),
  systemUserToken: text(record, META_SECRET_KEYS.systemUserToken),
  registrationPin: text(record, OPTIONAL_META_SECRET_KEYS.registrationPin),
});

/** Local mode: the values come from the environment (CONTRACT's variable names). */
export const envSecretSource = (env: Env): SecretSource<MetaSecrets> => {
  const secrets = parseMetaSecrets(env);
  return { get: async () => secrets };
};

/**
 * AWS: one JSON secret read through Powertools Parameters, cached in the warm container for `maxAgeSeconds`
 * so a rotated value is picked up without a redeploy.
 */
export const jsonSecretSource = <T>(
  provider: SecretsProvider,
  secretId: string,
  maxAgeSeconds: number,
  parse: (record: Record<string, unknown>) => T,
): SecretSource<T> => ({
  async get(forceFetch = false) {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: maxAgeSeconds, forceFetch, transform: 'json' });
    } catch (error) {
      throw new DependencyUnavailableError('secrets', error);
    }
    if (!isRecord(value)) {
      throw new DependencyUnavailableError('secrets', `${secretId} is not a JSON object`);
    }
    return parse(value);
  },
});

export const acceptedAppSecrets = (secrets: MetaSecrets): string[] =>
  [secrets.appSecret, secrets.appSecretPrevious].filter(
    (secret): secret is string => secret !== undefined && secret !== '',
  );

/** The system user token as a Graph token source; an empty value is a configuration error, said plainly. */
export const systemUserToken =
  (source: SecretSource<MetaSecrets>) =>
  async (forceFetch: boolean): Promise<string> => {
    const { systemUserToken: token } = await source.get(forceFetch);
    if (token === '')
      throw new DependencyUnavailableError(
        'secrets',
        `${META_SECRET_KEYS.systemUserToken} is empty: set it in the Meta secret`,
      );
    return token;
  };
