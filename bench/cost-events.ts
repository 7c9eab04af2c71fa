import { ASSUMPTIONS, PRICES } from './cost-inputs.js';

/**
 * Domain events (stream → events function → PutEvents; reading a stream from Lambda is free) and the
 * delivery archive (one Firehose record per delivery, Firehose's own S3 PUTs), per million changes.
 */
export const eventsAndArchive = (deliveries: number): Record<string, number> => {
  const million = 1_000_000;
  const events = million * ASSUMPTIONS.domainEventsPerChange;
  const invocations = million / ASSUMPTIONS.streamBatch;
  const billedMs = Math.ceil(ASSUMPTIONS.putEventsRoundTripMs * 1.5);
  return {
    domainEvents:
      (events / million) * PRICES.eventBridgePutEventsPerMillion +
      (invocations / million) * PRICES.lambdaRequestsPerMillion +
      invocations * (billedMs / 1000) * ASSUMPTIONS.eventsMemoryGb * PRICES.lambdaArmGbSecond,
    archive:
      ((deliveries * ASSUMPTIONS.firehoseBilledBytesPerDelivery) / 1024 ** 3) * PRICES.firehosePerGb +
      ((deliveries / million) * ASSUMPTIONS.archivePutsPerMillionDeliveries * PRICES.s3PutPerThousand) / 1000,
  };
};
