/**
 * A failure that another try will not fix: validation errors, 4xx other than 429/401-refresh. Recorded
 * per record (audit trail, `explain`, metrics, report); never retried, never dropped silently.
 */
export class PermanentError extends Error {
  /** The API's own error code, e.g. VALIDATION_ERROR, REQUIRED_FIELD_MISSING, CONTACT_EXISTS. */
  readonly code: string;
  /** The HTTP status, when there was one. */
  readonly status: number | undefined;
  /** What a person must do so the record goes through, when the connector knows. */
  readonly fix: string | undefined;

  constructor(
    message: string,
    code: string,
    status?: number,
    options?: { cause?: unknown; fix?: string | undefined },
  ) {
    super(message, options);
    this.name = 'PermanentError';
    this.code = code;
    this.status = status;
    this.fix = options?.fix;
  }
}
