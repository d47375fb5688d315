import { PermanentError } from '../../../src/errors/permanent-error.ts';
import { RetryableError } from '../../../src/errors/retryable-error.ts';

/** The fetch used for deliveries (tests pass one; production uses the global). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * POSTs a body and classifies the answer: 2xx delivered; 408, 429 and 5xx, a timeout or a network
 * error are retried; any other status is permanent (a wrong URL or secret does not heal by retrying).
 * The timeout bounds how long a dead endpoint can hold a delivery worker.
 */
export async function httpPost(
  fetchImpl: FetchLike,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number }> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new RetryableError(timedOut ? `no answer within ${timeoutMs} ms` : 'endpoint unreachable', {
      cause: err,
    });
  }
  // Drain the body so the connection is released; its content is not needed.
  await response.arrayBuffer().catch(() => undefined);
  const { status } = response;
  if (status >= 200 && status < 300) return { status };
  if (status === 408 || status === 429 || status >= 500)
    throw new RetryableError(`endpoint answered ${status}`);
  throw new PermanentError(`endpoint answered ${status}`, `HTTP_${status}`, status);
}
