export { createKafka, createProducer, ensureTopics } from './client.ts';
export { describeKafkaConnection, KafkaConnectionError, kafkaJsConnectionOf, redactSecrets } from './connection.ts';
export type { KafkaConnection } from './connection.ts';
export { reconsumeWindow, redriveDeadLetters } from './redrive.ts';
export { StallDetector, stallStateKey } from './stall.ts';
export type { PartitionOffsets, PartitionProgress } from './stall.ts';
