import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineFile, trimTornTail, writeFileAtomic } from '../../local/durable-file.js';
import { useTempFolders } from '../support/temp-folders.js';

const folder = useTempFolders('file');
const fileIn = (name: string) => join(folder(), name);

describe('files of lines that survive a torn write', () => {
  it('cuts a torn tail longer than one read back to the last complete line', () => {
    // Prepare: a 200 KB torn line, far past the 64 KiB the scan reads at a time.
    const path = fileIn('log.jsonl');
    writeFileSync(path, `{"a":1}\n{"b":2}\n{"torn":"${'x'.repeat(200 * 1024)}`);

    // Act
    trimTornTail(path);

    // Assess
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  it('empties a file that holds no complete line, and leaves a whole file as it is', () => {
    // Prepare
    const torn = fileIn('torn.jsonl');
    const whole = fileIn('whole.jsonl');
    writeFileSync(torn, '{"only":"par');
    writeFileSync(whole, '{"a":1}\n');

    // Act
    trimTornTail(torn);
    trimTornTail(whole);

    // Assess
    expect(readFileSync(torn, 'utf8')).toBe('');
    expect(readFileSync(whole, 'utf8')).toBe('{"a":1}\n');
  });

  it('starts the first append after a torn tail on a line of its own', () => {
    // Prepare
    const path = fileIn('log.jsonl');
    writeFileSync(path, '{"a":1}\n{"to');

    // Act
    const file = new LineFile(path);
    file.append('{"b":2}\n', true);
    file.close();

    // Assess
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });

  it('replaces a file atomically with the mode asked, even over a leftover temporary file', () => {
    // Prepare: a temporary file a crash left behind, readable by everyone.
    const path = fileIn('secrets.json');
    writeFileSync(`${path}.tmp`, 'stale', { mode: 0o644 });

    // Act
    writeFileAtomic(path, '{"k":"v"}\n', 0o600);

    // Assess
    expect(readFileSync(path, 'utf8')).toBe('{"k":"v"}\n');
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
  });
});
