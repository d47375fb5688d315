/**
 * A failure worth trying again: 5xx, timeouts, connection resets, an expired session being refreshed.
 * The job is thrown back to BullMQ, whose exponential backoff with jitter decides when.
 */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}
