import { isRecord, parseJsonObject } from '../../kernel/json.js';

/**
 * Every delivery answered 200 is kept as received: its raw bytes and when it arrived. Meta has no API to
 * fetch a webhook again, so this is the only way to re-read a delivery after a decoder fix.
 */
export interface ArchivedDelivery {
  /** Epoch ms when the webhook accepted it. */
  receivedAt: number;
  body: Buffer;
  /**
   * No domain took any of its changes (all went to passthrough): kept apart, under the passthrough retention
   * (`switchboard:archivePassthrough`: fewer days, or not at all).
   */
  passthroughOnly?: boolean;
}

/** The webhook's side: keep before answering 200 (a failure is a 5xx, and Meta delivers again). */
export interface DeliveryArchive {
  keep(delivery: ArchivedDelivery): Promise<void>;
}

/**
 * Where a delivery lies in the archive: its hour partition, the object in it (Firehose writes several an hour;
 * local mode one file, key ''), and its line. The archive is read in this order, which is arrival order, not
 * receive order (a delivery received earlier may lie later): a replay resumes exactly after the last position
 * it read, never from a time, so it neither skips a delivery nor reads one twice.
 */
export interface ArchivePosition {
  partition: string;
  key: string;
  line: number;
}

/** An archived delivery and where it lies. */
export type ArchivedEntryAt = ArchivedDelivery & { position: ArchivePosition };

/**
 * The replay's side: every archived delivery received within [fromMs, toMs], in archive order (oldest hour
 * first), after `after` when given.
 */
export interface ArchiveReader {
  read(fromMs: number, toMs: number, after?: ArchivePosition): AsyncIterable<ArchivedEntryAt>;
}

/** Archive order: partition, then object key, then line. */
export const comparePositions = (a: ArchivePosition, b: ArchivePosition): number =>
  a.partition < b.partition
    ? -1
    : a.partition > b.partition
      ? 1
      : a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : a.line - b.line;

/** Whether anything at (`partition`, `key`) may lie after `after` (whole partitions and objects are skipped). */
export const mayFollow = (after: ArchivePosition | undefined, partition: string, key: string): boolean =>
  after === undefined || comparePositions({ partition, key, line: Number.MAX_SAFE_INTEGER }, after) > 0;

/**
 * One archive line: `{"receivedAt": ms, "body": base64}`, or for a body too large for one Firehose record,
 * `{"receivedAt": ms, "large": <object key>}` pointing at the body stored beside the stream's output.
 */
export const archiveLine = (receivedAt: number, body: Buffer | { large: string }): string =>
  `${JSON.stringify(Buffer.isBuffer(body) ? { receivedAt, body: body.toString('base64') } : { receivedAt, ...body })}\n`;

/** One archive line: `line` is its index in its object (lines that are not entries count too). */
export type ArchiveEntry = { receivedAt: number; line: number } & ({ body: Buffer } | { large: string });

/** The entries of archive text (JSON lines); anything else on a line is skipped. */
export const parseArchiveLines = (text: string): ArchiveEntry[] =>
  text.split('\n').flatMap((text, line): ArchiveEntry[] => {
    const record = text === '' ? undefined : parseJsonObject(text);
    if (!isRecord(record) || typeof record.receivedAt !== 'number') return [];
    const { receivedAt } = record;
    if (typeof record.body === 'string')
      return [{ receivedAt, line, body: Buffer.from(record.body, 'base64') }];
    if (typeof record.large === 'string') return [{ receivedAt, line, large: record.large }];
    return [];
  });

const pad = (value: number) => String(value).padStart(2, '0');

/** `yyyy/MM/dd/HH` (UTC) of an instant: the archive's partition. */
export const hourPartition = (ms: number): string => {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${pad(date.getUTCHours())}`;
};

const HOUR_MS = 3_600_000;

/**
 * The partitions that may hold deliveries received in [fromMs, toMs]: Firehose partitions by its own arrival
 * time, which trails the webhook's by its buffering (at most minutes), so one hour after the window is read too.
 */
export const partitionsFor = (fromMs: number, toMs: number): string[] => {
  const partitions: string[] = [];
  for (let hour = Math.floor(fromMs / HOUR_MS) * HOUR_MS; hour <= toMs + HOUR_MS; hour += HOUR_MS)
    partitions.push(hourPartition(hour));
  return partitions;
};
