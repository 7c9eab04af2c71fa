/**
 * Waiting without a clock: tests wait for an outcome (count until done), never for a time. The test's own
 * timeout is the only hang guard, far above what any test needs on a busy machine.
 */

/** Resolves once `condition` holds, polling every few milliseconds. */
export const until = async (condition: () => boolean | Promise<boolean>): Promise<void> => {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** A value the test hands over when it chooses (a Graph answer held back: a call in progress). */
export const held = <T>(): { promise: Promise<T>; release: (value: T) => void } => {
  let release: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    release = resolve;
  });
  return { promise, release };
};
