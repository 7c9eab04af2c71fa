import type { SQSRecord } from 'aws-lambda';
import { cpuMicros, summary } from './stats.js';
import { silenced } from './webhook-cpu.js';

/** An SQS record as Lambda hands it to a function, carrying `body`. */
export const sqsRecord = (body: string, index: number): SQSRecord => ({
  messageId: `m${index}`,
  receiptHandle: `r${index}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn',
  awsRegion: 'us-east-1',
});

export interface PerRecordCpu {
  cpuMicrosPerRecord: number;
  floorCpuMicrosPerRecord: number;
  logBytesPerBatch: number;
}

/**
 * CPU per record of our handler and of its floor, each running `batches` batches of `records` records in turn
 * (one warm-up each, then five interleaved rounds: medians), with stdout silenced and the log bytes of one batch
 * of ours counted.
 */
export const pairedCpuPerRecord = async (
  ours: () => Promise<unknown>,
  floor: () => Promise<unknown>,
  records: number,
  batches: number,
): Promise<PerRecordCpu> => {
  const perRecord = (work: () => Promise<unknown>) =>
    silenced(async () => (await cpuMicros(batches, work)) / records);
  await perRecord(ours);
  await perRecord(floor);
  const mine: number[] = [];
  const theirs: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 5; round++) {
    const measured = await perRecord(ours);
    mine.push(measured.result);
    bytes = measured.bytes / batches;
    theirs.push((await perRecord(floor)).result);
  }
  return {
    cpuMicrosPerRecord: summary(mine).median,
    floorCpuMicrosPerRecord: summary(theirs).median,
    logBytesPerBatch: Math.round(bytes),
  };
};
