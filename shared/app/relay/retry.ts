/**
 * When a delivery that failed for a passing reason is tried again: after the destination's `Retry-After` when it
 * gave one (at most an hour), else after a full-jitter exponential backoff (2 s doubling per attempt, at most
 * 15 minutes), never sooner than a second. The wait is the message's visibility timeout on its own queue, so a
 * waiting delivery holds no function and delays no other destination.
 */
export const RETRY_POLICY = {
  baseSeconds: 2,
  capSeconds: 900,
  retryAfterCapSeconds: 3_600,
} as const;

/** `attempt` is the attempt that just failed (1 for the first). */
export const retryDelaySeconds = (
  attempt: number,
  retryAfter: number | undefined,
  random: () => number = Math.random,
): number => {
  if (retryAfter !== undefined) return Math.min(RETRY_POLICY.retryAfterCapSeconds, Math.max(1, retryAfter));
  const ceiling = Math.min(RETRY_POLICY.capSeconds, RETRY_POLICY.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(random() * ceiling));
};

/** The longest a delivery can wait between its first and last attempt (the sum of every capped wait). */
export const worstCaseRetrySeconds = (maxAttempts: number): number => {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++)
    total += Math.min(RETRY_POLICY.capSeconds, RETRY_POLICY.baseSeconds * 2 ** (attempt - 1));
  return total;
};
