/**
 * Typed errors. Each carries the HTTP status it maps to; `toErrorResponse` (shared/platform/http/response.ts) is the
 * one place that turns them into responses, so handlers never choose status codes themselves.
 */
export class SwitchboardError extends Error {
  public readonly status: number;
  public readonly code: string;
  public readonly details: Record<string, unknown> | undefined;

  public constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The JSON answer: `{ error, message, ...details }`; subclasses that speak for Meta say more. */
  public body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.details ?? {}) };
  }
}

export class BadRequestError extends SwitchboardError {
  public constructor(message: string, details?: Record<string, unknown>) {
    super(400, 'bad_request', message, details);
  }
}

export class UnauthorizedError extends SwitchboardError {
  public constructor(message = 'invalid or missing X-Hub-Signature-256') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends SwitchboardError {
  public constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends SwitchboardError {
  public constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class MethodNotAllowedError extends SwitchboardError {
  public constructor(message: string) {
    super(405, 'method_not_allowed', message);
  }
}

/** The item's current state forbids the action; Meta was not called. */
export class ConflictError extends SwitchboardError {
  public constructor(message: string, details?: Record<string, unknown>) {
    super(409, 'conflict', message, details);
  }
}

export class PayloadTooLargeError extends SwitchboardError {
  public constructor(limitBytes: number) {
    super(413, 'payload_too_large', `body exceeds ${limitBytes} bytes`);
  }
}

/** A body declared as something other than JSON on a route that reads JSON. */
export class UnsupportedMediaTypeError extends SwitchboardError {
  public constructor(contentType: string) {
    super(
      415,
      'unsupported_media_type',
      `content-type ${contentType} is not accepted: send application/json`,
    );
  }
}

/** A signed delivery with more changes than Meta ever sends: refused before anything is queued. */
export class TooManyChangesError extends SwitchboardError {
  public constructor(count: number, limit: number) {
    super(413, 'too_many_changes', `delivery holds ${count} changes; at most ${limit} are accepted`, {
      limit,
    });
  }
}

/**
 * A dependency (queue, table, secret store) failed: 503 so that the sender retries. The answer names only
 * the kind of dependency: what it said (role and secret ARNs, the account number) stays in `cause`, which
 * reaches the logs and never a caller — `/webhook` and `/healthz` answer anyone.
 */
export class DependencyUnavailableError extends SwitchboardError {
  public constructor(dependency: string, detail: unknown) {
    super(503, 'dependency_unavailable', `${dependency} unavailable; retry later`, { dependency });
    this.cause = detail instanceof Error ? detail : new Error(String(detail));
  }
}

/** Configuration is missing or invalid; raised once at cold start. */
export class ConfigError extends Error {
  public constructor(public readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A queued change that can never apply (invalid shape): retrying cannot help, it belongs in the DLQ. */
export class InvalidEventError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}
