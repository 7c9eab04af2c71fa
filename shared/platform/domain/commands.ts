/** The CLI's options every command may read (`npm run switchboard -- <noun> <verb> [arguments] [--options]`). */
export interface CliOptions {
  limit?: string;
  cursor?: string;
  solution?: string;
  refresh?: boolean;
  metadata?: string;
  duration?: string;
  to?: string;
  'partner-app'?: string;
  permissions?: string;
}

/** One API call the CLI makes: a route of the route table, filled in, and how to print its answer. */
export interface CliRequest {
  route: string;
  parameters?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
  format?: (body: Record<string, unknown>) => string;
}

/** A domain's CLI nouns: each plans its verbs into API calls (undefined for a verb it does not know). */
export interface CliCommands {
  readonly nouns: readonly string[];
  /** The usage lines, as the help prints them. */
  readonly usage: readonly string[];
  plan(
    noun: string,
    verb: string | undefined,
    args: readonly string[],
    options: CliOptions,
  ): CliRequest | undefined;
}

/** A command-line mistake: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

export const need = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
};

/** A paged list's rows, each formatted, and the cursor of the next page. */
export const formatList =
  (format: (row: Record<string, unknown>) => string) =>
  (body: Record<string, unknown>): string =>
    [
      ...((body.items as Record<string, unknown>[]) ?? []).map(format),
      body.nextCursor ? `more: --cursor ${body.nextCursor}` : '',
    ]
      .filter(Boolean)
      .join('\n') || '(none)';

export const isoSeconds = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : '-';
export const isoMillis = (millis: unknown) =>
  typeof millis === 'number' ? new Date(millis).toISOString() : '-';
