import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

// HubSpot's error body: https://developers.hubspot.com/docs/api-reference/error-handling
// (status, message, category, correlationId, optional errors[] and context). The 429 bodies add
// errorType and policyName: https://developers.hubspot.com/docs/api/usage-details

export interface ErrorDetail {
  message: string;
  code?: string;
  context?: Record<string, string[]>;
}

/** A refusal the routes throw; the app turns it into HubSpot's JSON error body. */
export class EmulatorError extends Error {
  readonly status: number;
  readonly category: string;
  readonly errors: ErrorDetail[] | undefined;
  readonly context: Record<string, string[]> | undefined;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    category: string,
    message: string,
    options: {
      errors?: ErrorDetail[];
      context?: Record<string, string[]>;
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.status = status;
    this.category = category;
    this.errors = options.errors;
    this.context = options.context;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }
}

export function errorBody(error: EmulatorError): Record<string, unknown> {
  return {
    status: 'error',
    message: error.message,
    correlationId: randomUUID(),
    category: error.category,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.context ? { context: error.context } : {}),
    ...error.extra,
  };
}

export function sendError(res: Response, error: EmulatorError): void {
  res.status(error.status).set(error.headers).json(errorBody(error));
}

/** "Property values were not valid: [...]" as HubSpot words a batch validation failure. */
export function invalidProperties(
  problems: Array<{ name: string; message: string; error: string }>,
): EmulatorError {
  const detail = problems.map((problem) => ({
    isValid: false,
    message: problem.message,
    error: problem.error,
    name: problem.name,
  }));
  return new EmulatorError(
    400,
    'VALIDATION_ERROR',
    `Property values were not valid: ${JSON.stringify(detail)}`,
    {
      errors: problems.map((problem) => ({
        message: problem.message,
        code: problem.error,
        context: { propertyName: [problem.name] },
      })),
    },
  );
}

export const notFound = (message: string) => new EmulatorError(404, 'OBJECT_NOT_FOUND', message);
export const badRequest = (message: string, code?: string) =>
  new EmulatorError(400, 'VALIDATION_ERROR', message, code ? { errors: [{ message, code }] } : {});
