import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * The error DynamoDB answers when a condition does not hold: a stale or duplicate event, a lease held by
 * someone else. Matched by class, or by name when another copy of the SDK threw it.
 */
export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');
