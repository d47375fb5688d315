import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log/logger.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The status an error asks for (body parsers and the router set one on client errors), else 500. */
function statusOf(err: unknown): number {
  const candidate = (err as { status?: unknown; statusCode?: unknown } | null) ?? {};
  const status = Number(candidate.status ?? candidate.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 600) return status;
  if (err instanceof URIError) return 400;
  return 500;
}

/**
 * The one final error handler: an RFC 9457 problem document with a generic title, never the error's
 * message, stack or a file path; the full error goes to the structured log only.
 */
export function finalErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const status = statusOf(err);
    const log = status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
    log({ err, method: req.method, path: req.path, status }, 'request failed');
    if (res.headersSent) {
      next(err);
      return;
    }
    res
      .status(status)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status }));
  };
}

/** Unknown routes: a problem document too (not express's HTML page). */
export const notFound: RequestHandler = (_req, res) => {
  res
    .status(404)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
};
