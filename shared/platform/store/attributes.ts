import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../../kernel/registers.js';

/** Marshals an item as DynamoDB's own marshaller does, dropping undefined fields (see `compact`). */
export const toAttributes = (value: Item): Record<string, AttributeValue> =>
  marshall(value, { removeUndefinedValues: true });
