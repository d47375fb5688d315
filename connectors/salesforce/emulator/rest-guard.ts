import type { NextFunction, Request, Response } from 'express';
import { endpointTemplate } from '../endpoint.ts';
import { SUBREQUEST_HEADER } from './composite-routes.ts';
import { sfError, type EmulatorState } from './state.ts';

/** Bearer token of a request (`Authorization: Bearer x` or the older `OAuth x`). */
export function bearer(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

/** True for a subrequest of a composite call the emulator sends itself: part of a call already counted. */
export function isSubrequest(state: EmulatorState, req: Request): boolean {
  return req.get(SUBREQUEST_HEADER) === state.subrequestSecret;
}

/** Records every API response by endpoint template and status, for `GET /__emulator/stats`. */
export function countCalls(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isSubrequest(state, req))
      res.on('finish', () =>
        state.usage.count(endpointTemplate(req.method, req.originalUrl), res.statusCode),
      );
    next();
  };
}

/**
 * What stands between a REST request and the data, in Salesforce's order: the session (401
 * INVALID_SESSION_ID), the daily allocation (403 REQUEST_LIMIT_EXCEEDED, not counted), then injected
 * latency and server errors. Every answer carries `Sforce-Limit-Info`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export function restGuard(state: EmulatorState, options: { countsAgainstLimit: boolean }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const limitHeader = () => `api-usage=${state.usage.used()}/${state.usage.limit}`;
    const token = bearer(req);
    if (token) state.tokensSeen.add(token);
    if (!state.sessions.isValid(token)) {
      res.status(401).json(sfError('INVALID_SESSION_ID', 'Session expired or invalid'));
      return;
    }
    // A composite's subrequests ride on its one call: its allocation and its faults.
    if (isSubrequest(state, req)) {
      next();
      return;
    }
    if (options.countsAgainstLimit) {
      if (!state.usage.take()) {
        res.set('Sforce-Limit-Info', limitHeader());
        res.status(403).json(sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
        return;
      }
      if (state.callsUntilExpiry !== undefined) {
        state.callsUntilExpiry -= 1;
        if (state.callsUntilExpiry <= 0) {
          state.callsUntilExpiry = undefined;
          state.sessions.expireAll(state.tokensSeen);
        }
      }
    }
    res.set('Sforce-Limit-Info', limitHeader());
    const { faults } = state;
    if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    const status = faults.errorStatus ?? 503;
    const matchesFailNext = !faults.failNextMatching || req.originalUrl.includes(faults.failNextMatching);
    if (faults.failNext && faults.failNext > 0 && matchesFailNext && faults.failNextAfter) {
      faults.failNextAfter -= 1;
    } else if (faults.failNext && faults.failNext > 0 && matchesFailNext) {
      faults.failNext -= 1;
      res
        .status(status)
        .json(sfError('SERVER_UNAVAILABLE', 'Server temporarily unavailable; injected fault'));
      return;
    }
    if (faults.errorRate && state.random() < faults.errorRate) {
      res
        .status(status)
        .json(sfError('SERVER_UNAVAILABLE', 'Server temporarily unavailable; injected fault'));
      return;
    }
    next();
  };
}
