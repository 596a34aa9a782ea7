import { Kafka, logLevel, Partitioners, type ITopicConfig, type logCreator, type Producer } from 'kafkajs';
import type { Logger } from '@oa-archive/observability';
import { describeKafkaConnection, kafkaJsConnectionOf, redactSecrets, type KafkaConnection } from './connection.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through our pino logger, as JSON lines like everything else. */
function pinoLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _t, logger: _l, ...rest } = log;
    logger[LEVELS[level] ?? 'info']({ kafka: namespace, ...(redactSecrets(rest) as object) }, message);
  };
}

/** A kafkajs client for the given brokers, with SASL and TLS when the connection asks for them. */
export function createKafka(options: { clientId: string; logger: Logger } & KafkaConnection): Kafka {
  const { clientId, logger, ...connection } = options;
  if (connection.sasl?.mechanism === 'plain' && !connection.tls) {
    logger.warn({ kafka: describeKafkaConnection(connection) }, 'SASL PLAIN without TLS sends the Kafka password in clear; set KAFKA_TLS=true');
  }
  return new Kafka({
    clientId,
    ...kafkaJsConnectionOf(connection),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 300, retries: 8 },
  });
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** A producer with the default (murmur2, Java-compatible) partitioner, keyed messages keep their order. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
}
