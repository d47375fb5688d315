import type { Request, Response } from 'express';
import { sfError } from './state.ts';
import { RequestError } from './validation.ts';

export function versionBase(req: Request): string {
  return `/services/data/${String(req.params.version)}`;
}

/** Answers a RequestError (or anything else) the way the REST API does. */
export function sendError(res: Response, err: unknown): void {
  if (err instanceof RequestError) {
    res.status(err.status).json(sfError(err.errorCode, err.message));
    return;
  }
  res.status(500).json(sfError('UNKNOWN_EXCEPTION', (err as Error).message ?? 'unexpected error'));
}
