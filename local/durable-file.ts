import {
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { isRecord, parseJsonObject } from '../shared/kernel/json.js';

const NEWLINE = 0x0a;
const SCAN_CHUNK_BYTES = 64 * 1024;

/** Writes every byte: `writeSync` may write fewer than asked (a nearly full disk, a signal). */
export const writeAll = (fd: number, data: Buffer): void => {
  for (let offset = 0; offset < data.length; ) {
    const written = writeSync(fd, data, offset, data.length - offset);
    // A write that makes no progress would loop forever; the caller sees it as the failure it is.
    if (written <= 0) throw new Error(`short write: ${data.length - offset} bytes could not be written`);
    offset += written;
  }
};

/** Reads `length` bytes at `position` (a read may return fewer than asked). */
const readAt = (fd: number, buffer: Buffer, length: number, position: number): void => {
  for (let offset = 0; offset < length; ) {
    const read = readSync(fd, buffer, offset, length - offset, position + offset);
    if (read <= 0) throw new Error(`the file ended while reading ${length} bytes at ${position}`);
    offset += read;
  }
};

/** The length of the file up to and including its last newline (0 when it holds none), scanning from the end. */
const lastLineEnd = (fd: number, size: number): number => {
  const chunk = Buffer.alloc(Math.min(SCAN_CHUNK_BYTES, size));
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    readAt(fd, chunk, end - start, start);
    const at = chunk.subarray(0, end - start).lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
};

/**
 * Cuts a torn last line (the process died, or the disk filled, mid-append) off a file of lines. Appending
 * after it would glue the next line onto the torn one, and both would be unreadable: the next line, which
 * may be an acknowledged message, would be lost at the following load.
 */
export const trimTornTail = (path: string): void => {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readAt(fd, last, 1, size - 1);
    if (last[0] !== NEWLINE) ftruncateSync(fd, lastLineEnd(fd, size));
  } finally {
    closeSync(fd);
  }
};

/**
 * Replaces a file's content all at once: a temporary file written and `fsync`ed, then renamed over it, so a
 * reader (or a restart after a crash) sees the old content or the new one, never a mix. `mode`, when given,
 * is set on the temporary file before any byte is written (a secret is never readable by others, even briefly).
 */
export const writeFileAtomic = (path: string, text: string, mode?: number): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    // A leftover temporary file (a crash before the rename) keeps its old mode whatever `openSync` asks.
    if (mode !== undefined) fchmodSync(fd, mode);
    writeAll(fd, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
};

/**
 * A file of lines opened for appending, where every append starts a line of its own: a torn tail left by
 * a crash is cut off when the file is opened, and an append that fails part-way (a full disk) is cut back
 * off the file, or, should that fail too, ended by the next append's leading newline.
 */
export class LineFile {
  private fd: number;
  private torn = false;

  public constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    trimTornTail(path);
    this.fd = openSync(path, 'a');
  }

  /** Appends `text` (whole lines, each ending in a newline); `sync` makes it survive a power cut too. */
  public append(text: string, sync: boolean): void {
    const start = fstatSync(this.fd).size;
    try {
      writeAll(this.fd, Buffer.from(this.torn ? `\n${text}` : text, 'utf8'));
      if (sync) fsyncSync(this.fd);
    } catch (error) {
      // The caller reports a failure: what part of it reached the file must not be read back either.
      this.cutBack(start);
      throw error;
    }
    this.torn = false;
  }

  /** Replaces the whole file atomically with `text` (compaction); appends continue after it. */
  public replace(text: string): void {
    writeFileAtomic(this.path, text);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.torn = false;
  }

  public close(): void {
    closeSync(this.fd);
  }

  private cutBack(length: number): void {
    try {
      ftruncateSync(this.fd, length);
    } catch {
      this.torn = true;
    }
  }
}

/** The JSON objects of a file of lines, in order; a missing file is none, and a line that is not one is skipped. */
export const readJsonLines = (path: string): Record<string, unknown>[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .map((line) => (line === '' ? undefined : parseJsonObject(line)))
        .filter(isRecord)
    : [];
