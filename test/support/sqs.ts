import type { SQSEvent, SQSRecord } from 'aws-lambda';

export const sqsRecord = (body: string, messageId: string, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: '0',
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
  awsRegion: 'us-east-1',
});

export const sqsEvent = (bodies: string[], prefix = 'msg'): SQSEvent => ({
  Records: bodies.map((body, index) => sqsRecord(body, `${prefix}-${index}`)),
});
