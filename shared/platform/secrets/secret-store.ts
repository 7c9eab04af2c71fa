/**
 * Where secrets Switchboard obtains at run time are kept (customers' business tokens): Secrets Manager in AWS, a
 * file or memory in local mode. Never DynamoDB or logs.
 */
export interface SecretStore {
  /** Creates or updates the secret (tagged when created); answers its name. */
  put(name: string, value: string, tags?: Readonly<Record<string, string>>): Promise<string>;
  /** The secret's value; undefined when there is none (never created, deleted, or scheduled for deletion). */
  get(name: string): Promise<string | undefined>;
  /**
   * Schedules the secret's deletion `recoveryDays` from now (Secrets Manager's recovery window: 7 to 30 days),
   * reversible by `restore` until then. Answers when it will be gone (epoch ms); a secret already scheduled
   * keeps its date; undefined when there is no such secret.
   */
  scheduleDeletion(name: string, recoveryDays: number): Promise<number | undefined>;
  /** Cancels a scheduled deletion (a secret not scheduled is left as it is); false when the secret is gone. */
  restore(name: string): Promise<boolean>;
}

/** Secrets Manager's bounds on a deletion's recovery window, in days. */
export const RECOVERY_WINDOW_DAYS = { min: 7, max: 30 } as const;
