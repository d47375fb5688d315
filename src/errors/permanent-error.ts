/**
 * A failure that another try will not fix: validation errors, 4xx other than 429/401-refresh. Recorded
 * per record (audit trail, `explain`, metrics, report); never retried, never dropped silently.
 */
export class PermanentError extends Error {
  /** The API's own error code, e.g. VALIDATION_ERROR, REQUIRED_FIELD_MISSING, CONTACT_EXISTS. */
  readonly code: string;
  /** The HTTP status, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, code: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
    this.code = code;
    this.status = status;
  }
}
