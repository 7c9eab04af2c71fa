export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export const mapWithConcurrency = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** Full-jitter exponential backoff: a random delay in [0, min(cap, base * factor^attempt)]. */
export const backoffDelay = (
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
) => Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
