/**
 * Where secrets Switchboard obtains at run time are kept (customers' business tokens): Secrets Manager in AWS, a
 * file or memory in local mode. Never DynamoDB or logs.
 */
export interface SecretStore {
  /** Creates or updates the secret (tagged when created); answers its name. */
  put(name: string, value: string, tags?: Readonly<Record<string, string>>): Promise<string>;
}
