/** Public us-east-1 list prices (USD) used by the model; check the AWS pricing pages before relying on them. */
export const PRICES = {
  apiGatewayHttpPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  sqsRequestsPerMillion: 0.4,
  dynamoWriteUnitsPerMillion: 0.625,
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  logsIngestionPerGb: 0.5,
  /** EventBridge custom events, per million entries (each up to 64 KB). */
  eventBridgePutEventsPerMillion: 1.0,
  /** Firehose Direct PUT ingestion, per GB, each record rounded up to 5 KB. */
  firehosePerGb: 0.029,
} as const;

/** Assumptions the model states rather than measures (no AWS account here). */
export const ASSUMPTIONS = {
  webhookMemoryGb: 0.5,
  consumerMemoryGb: 0.25,
  sqsSendRoundTripMs: 10,
  dynamoWriteRoundTripMs: 6,
  accessLogBytesPerRequest: 330,
  claimCheckShare: 0.001,
  /** The cost goal: at most this times the same-architecture floor, in every traffic shape. */
  goalRatioToFloor: 1.1,
  /** Domain events per applied change: at most one for most changes (an upper bound; duplicates emit none). */
  domainEventsPerChange: 1,
  /** Stream records per events-function invocation under load (Lambda batches up to 100). */
  streamBatch: 10,
  putEventsRoundTripMs: 15,
  eventsMemoryGb: 0.25,
  /** Firehose bills each record as at least 5 KB; a delivery is one record. */
  firehoseBilledBytesPerDelivery: 5 * 1024,
  /** Firehose writes one object per 60 s or 5 MiB buffer (GZIP): PUTs per million deliveries of about 1.5 KB. */
  archivePutsPerMillionDeliveries: 300,
} as const;
