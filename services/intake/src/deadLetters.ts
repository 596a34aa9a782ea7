import type { Producer } from 'kafkajs';
import { deadLetterOf, type ContractIssue } from '@oa-archive/contracts';

type LetterArgs = Parameters<typeof deadLetterOf>[0];

/** A letter lists this many issues at most: 500 broken components must not make it too large to send. */
const MAX_ISSUES = 200;

/** kafkajs wraps the broker's MESSAGE_TOO_LARGE in its retry errors; look down the chain. */
function isMessageTooLarge(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || (typeof e.message === 'string' && /larger than the max message size/i.test(e.message))) return true;
  }
  return false;
}

function cappedIssues(issues: ContractIssue[]): ContractIssue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  return [...issues.slice(0, MAX_ISSUES), { path: '(letter)', message: `… and ${issues.length - MAX_ISSUES} more issues` }];
}

/**
 * Writes dead letters so that writing one cannot fail for the record's own sake: a letter the topic
 * refuses as too large goes again without the value (its size and SHA-256 kept; the record stays readable
 * at its origin offset for as long as the topic retains it). Any other failure (Kafka unreachable) is
 * thrown, and the record is delivered again.
 */
export class DeadLetterWriter {
  readonly #producer: Producer;
  readonly #topic: string;

  constructor(producer: Producer, topic: string) {
    this.#producer = producer;
    this.#topic = topic;
  }

  /** Returns whether the value had to be left out. */
  async write(args: LetterArgs): Promise<{ valueOmitted: boolean }> {
    const letter = { ...args, issues: cappedIssues(args.issues) };
    try {
      await this.#send(letter);
      return { valueOmitted: letter.omitValue !== undefined };
    } catch (error) {
      if (!isMessageTooLarge(error) || letter.omitValue !== undefined) throw error;
    }
    await this.#send({ ...letter, omitValue: 'larger than the dead-letter topic accepts (max.message.bytes); read the record at its origin offset' });
    return { valueOmitted: true };
  }

  async #send(args: LetterArgs): Promise<void> {
    const letter = deadLetterOf(args);
    await this.#producer.send({
      topic: this.#topic,
      messages: [{ key: args.origin.key, value: JSON.stringify(letter), headers: { 'x-dead-letter-reason': args.reason.slice(0, 500) } }],
    });
  }
}
