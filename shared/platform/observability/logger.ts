import type { Context } from 'aws-lambda';

/** Lambda's log levels (Advanced Logging Controls), least to most severe. */
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, CRITICAL: 5, FATAL: 5, SILENT: 6 } as const;
type LevelName = keyof typeof LEVELS;

const levelOf = (name: string | undefined): number | undefined => {
  const upper = name?.trim().toUpperCase();
  return upper !== undefined && upper in LEVELS ? LEVELS[upper as LevelName] : undefined;
};

/** Keys every line carries; a caller's extra field of the same name would silently replace one, so it is prefixed. */
const RESERVED = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
]);

const traceIdOf = (header: string | undefined): string | undefined =>
  header
    ?.split(';')
    .find((part) => part.startsWith('Root='))
    ?.slice(5);

/** JSON with bigints as strings and Errors as their name, message and stack: a log line never throws. */
const serialize = (record: Record<string, unknown>): string => {
  try {
    return JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
      return value;
    });
  } catch (error) {
    return JSON.stringify({ level: record.level, message: record.message, unserializable: String(error) });
  }
};

/**
 * Structured JSON logs in the shape Powertools Logger writes (`level`, `message`, `timestamp`, `service`, the
 * Lambda context as `function_*`, `cold_start`, `xray_trace_id`), one line per call on stdout, where Lambda's
 * JSON log format and its application log level apply. It replaces Powertools Logger (about 21 KiB of every
 * bundle, and its setup on every cold start) for the few features Switchboard uses: levels, extra fields, the
 * invocation's context.
 */
export class Logger {
  private level: number;
  /** Lambda's application log level, when set, is the floor: Lambda drops anything below it anyway. */
  private readonly lambdaLevel = levelOf(process.env.AWS_LAMBDA_LOG_LEVEL);
  private context: Record<string, unknown> = {};
  private invocations = 0;

  public constructor(private readonly service: string) {
    this.level =
      this.lambdaLevel ??
      levelOf(process.env.POWERTOOLS_LOG_LEVEL) ??
      levelOf(process.env.LOG_LEVEL) ??
      LEVELS.INFO;
  }

  public setLogLevel(name: string): void {
    const level = levelOf(name);
    if (level === undefined) throw new Error(`Invalid log level: ${name}`);
    this.level = Math.max(level, this.lambdaLevel ?? LEVELS.TRACE);
  }

  /** The invocation's context on every line until the next invocation. */
  public addContext(context: Context): void {
    this.invocations += 1;
    this.context = {
      cold_start: this.invocations === 1,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
  }

  public debug(message: string, extra: Record<string, unknown> = {}): void {
    this.write('DEBUG', message, extra);
  }
  public info(message: string, extra: Record<string, unknown> = {}): void {
    this.write('INFO', message, extra);
  }
  public warn(message: string, extra: Record<string, unknown> = {}): void {
    this.write('WARN', message, extra);
  }
  public error(message: string, extra: Record<string, unknown> = {}): void {
    this.write('ERROR', message, extra);
  }

  private write(level: LevelName, message: string, extra: Record<string, unknown>): void {
    if (LEVELS[level] < this.level) return;
    const record: Record<string, unknown> = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.context,
      xray_trace_id: traceIdOf(process.env._X_AMZN_TRACE_ID),
    };
    for (const [key, value] of Object.entries(extra))
      record[RESERVED.has(key) ? `extra_${key}` : key] = value;
    process.stdout.write(`${serialize(record)}\n`);
  }
}
