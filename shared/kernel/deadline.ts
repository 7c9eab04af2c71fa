import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The deadline of the invocation in progress (epoch ms), carried with the async context so that every
 * Graph call made while answering one request is bounded by that request's remaining time, also when
 * local mode answers several requests at once in one process.
 */
const invocationDeadline = new AsyncLocalStorage<number>();

export const withDeadline = <T>(deadline: number, work: () => Promise<T>): Promise<T> =>
  invocationDeadline.run(deadline, work);

export const currentDeadline = (): number | undefined => invocationDeadline.getStore();
