import { describe, expect, it } from 'vitest';
import { encodeCursor, keyFromCursor } from '../../shared/platform/store/cursor.js';
import { createTableInput } from '../../shared/platform/store/tables.js';

describe('cursors into a table or an index', () => {
  it('hold exactly the key attributes, Meta IDs unless the table says what its keys may be', () => {
    // Prepare
    const bsuid = encodeCursor({ phoneNumberId: '106540352242922', userId: 'US.13491208655302741918' });
    const digitsOrDotted = (value: unknown) => typeof value === 'string' && /^[A-Za-z0-9.]+$/.test(value);

    // Act + Assess
    expect(() => keyFromCursor(bsuid, ['phoneNumberId', 'userId'])).toThrow(/cursor/);
    expect(keyFromCursor(bsuid, ['phoneNumberId', 'userId'], {}, digitsOrDotted)).toEqual({
      phoneNumberId: '106540352242922',
      userId: 'US.13491208655302741918',
    });
    expect(() =>
      keyFromCursor(bsuid, ['phoneNumberId', 'userId'], { phoneNumberId: '1' }, digitsOrDotted),
    ).toThrow(/cursor/);
    const hostile = encodeCursor({ phoneNumberId: '1', userId: '../x' });
    expect(() => keyFromCursor(hostile, ['phoneNumberId', 'userId'], {}, digitsOrDotted)).toThrow(/cursor/);
  });
});

describe('index definitions', () => {
  it('an index of keys only is created with KEYS_ONLY, every other with ALL', () => {
    const input = createTableInput('t', {
      partitionKey: 'a',
      sortKey: 'b',
      indexes: [
        { name: 'byB', partitionKey: 'b', sortKey: 'a', projection: 'keys' },
        { name: 'byC', partitionKey: 'c' },
      ],
    });
    expect(input.GlobalSecondaryIndexes?.map((index) => index.Projection?.ProjectionType)).toEqual([
      'KEYS_ONLY',
      'ALL',
    ]);
  });
});
