export { createKafka, createProducer, ensureTopics } from './client.ts';
export { reconsumeWindow, redriveDeadLetters } from './redrive.ts';
