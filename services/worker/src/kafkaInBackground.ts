import type { Kafka, Producer } from 'kafkajs';
import { ensureTopics } from '@oa-archive/kafka';
import type { Logger } from '@oa-archive/observability';

/**
 * Connects the receipts producer without holding up the worker: receipts wait in the outbox while
 * Kafka is away, so a worker started during a Kafka outage runs every stage and publishes once it
 * can reach Kafka (until then notify and the relay fail and retry).
 */
export function connectInBackground(kafka: Kafka, producer: Producer, topic: string, logger: Logger, retryMs = 5_000): { connected: Promise<void>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const connected = new Promise<void>((resolve) => {
    const attempt = async () => {
      if (stopped) return;
      try {
        await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
        await producer.connect();
        logger.info({ topic }, 'receipts producer connected');
        resolve();
      } catch (error) {
        logger.warn({ err: error, retryMs }, 'Kafka unreachable: receipts wait in the outbox; connecting again shortly');
        timer = setTimeout(() => void attempt(), retryMs);
        timer.unref();
      }
    };
    void attempt();
  });
  return {
    connected,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
