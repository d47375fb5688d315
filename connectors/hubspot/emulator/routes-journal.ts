import type { Request } from 'express';
import type { ApiRoute } from './api-router.ts';
import { EmulatorError } from './errors.ts';
import type { Journal, JournalFile } from './journal.ts';

// GET /webhooks-journal/journal/<version>/{earliest|latest|offset/{offset}/next} (Webhooks Journal spec,
// 2026-09). An empty journal, or nothing after the offset, answers 204 No Content; an offset that has left
// the 3-day retention answers 404 (status and wording are ours: the spec at hand names no such error).

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

export function journalRoutes(journal: Journal): ApiRoute[] {
  const answer = (req: Request, file: JournalFile | undefined) =>
    file ? { status: 200, body: journal.answer(file, baseUrl(req)) } : { status: 204, body: undefined };
  return [
    {
      method: 'get',
      template: '/webhooks-journal/journal/v4/earliest',
      handle: (req) => answer(req, journal.earliest()),
    },
    {
      method: 'get',
      template: '/webhooks-journal/journal/v4/latest',
      handle: (req) => answer(req, journal.latest()),
    },
    {
      method: 'get',
      template: '/webhooks-journal/journal/v4/offset/:offset/next',
      handle: (req) => {
        const offset = String(req.params.offset);
        if (!/^\d+$/.test(offset))
          throw new EmulatorError(400, 'VALIDATION_ERROR', `Invalid offset ${offset}`);
        const next = journal.next(offset);
        if (next === 'expired')
          throw new EmulatorError(
            404,
            'OBJECT_NOT_FOUND',
            `Offset ${offset} is older than the journal's 3-day retention. Start again from earliest.`,
            { extra: { subCategory: 'JOURNAL_OFFSET_EXPIRED' } },
          );
        return answer(req, next === 'none' ? undefined : next);
      },
    },
  ];
}
