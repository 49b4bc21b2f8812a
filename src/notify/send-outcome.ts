/** What one attempt to send an item on its channel came to; the retry policy decides what next. */
export type SendOutcome =
  | { type: 'delivered' }
  /** Worth another try; `retryAfterMs` when the consumer said how long to wait. */
  | { type: 'retry'; error: string; retryAfterMs: number | null }
  /** Another try cannot help (e.g. 410 Gone, a mailbox that does not exist). */
  | { type: 'give_up'; error: string };

/** One line about a failure for the outbox and the log: bounded, never a request or a body. */
export function shortError(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
