import type { SweepCounters } from './sweep.js';

type Counted = Exclude<keyof SweepCounters, 'errorsByCode'>;

/** Counts into a run's summary and its sweep's checkpoint at once. */
export class Tally {
  public constructor(
    private readonly run: SweepCounters,
    private readonly sweep: SweepCounters,
    public readonly baseline: boolean,
  ) {}

  public count(key: Counted, amount = 1): void {
    this.run[key] += amount;
    this.sweep[key] += amount;
  }

  public error(code: string): void {
    for (const counters of [this.run.errorsByCode, this.sweep.errorsByCode])
      counters[code] = (counters[code] ?? 0) + 1;
  }
}
