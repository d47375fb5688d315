import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { sfError, type EmulatorState } from './state.ts';

/** "You can have up to 25 subrequests in a single call. Up to 5 of these subrequests can be query operations." */
const MAX_SUBREQUESTS = 25;
const MAX_QUERIES = 5;

/** The request header that marks a subrequest the emulator sends itself (not counted, no faults). */
export const SUBREQUEST_HEADER = 'x-emulator-composite-subrequest';

const CompositeBody = z.looseObject({
  allOrNone: z.boolean().optional(),
  compositeRequest: z
    .array(
      z.looseObject({
        method: z.string(),
        url: z.string().regex(/^\/services\/data\/v\d+\.\d\//),
        referenceId: z.string().regex(/^[A-Za-z0-9_]+$/),
        httpHeaders: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
});

/**
 * Composite: several REST requests in one call, answered together in order, "the entire series of
 * requests counts as a single call toward your API limits". The emulator serves GET subrequests (what
 * LeadBridge sends: queries and describes) by running each against its own routes, uncounted; a
 * subrequest's failure is its own (`httpStatusCode` and error body), as with `allOrNone: false`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
 */
export function compositeRoutes(state: EmulatorState): Router {
  const router = Router({ mergeParams: true });
  router.post('/composite', async (req: Request, res: Response) => {
    const parsed = CompositeBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(sfError('JSON_PARSER_ERROR', parsed.error.issues[0]?.message ?? 'bad body'));
      return;
    }
    const subrequests = parsed.data.compositeRequest;
    const queries = subrequests.filter((sub) => /\/query(All)?[/?]/.test(sub.url)).length;
    // The code and wording of these refusals are ours, in Salesforce's REST error shape.
    if (subrequests.length > MAX_SUBREQUESTS || queries > MAX_QUERIES) {
      res
        .status(400)
        .json(
          sfError(
            'INVALID_INPUT',
            `A composite request holds at most ${MAX_SUBREQUESTS} subrequests, ${MAX_QUERIES} of them queries`,
          ),
        );
      return;
    }
    if (subrequests.some((sub) => sub.method.toUpperCase() !== 'GET')) {
      res
        .status(400)
        .json(sfError('INVALID_INPUT', 'The emulator serves GET subrequests of a composite request only'));
      return;
    }
    const compositeResponse = [];
    for (const sub of subrequests) {
      const answer = await fetch(`${state.baseUrl()}${sub.url}`, {
        headers: {
          ...sub.httpHeaders,
          authorization: req.get('authorization') ?? '',
          [SUBREQUEST_HEADER]: state.subrequestSecret,
        },
      });
      compositeResponse.push({
        body: (await answer.json()) as unknown,
        httpHeaders: {},
        httpStatusCode: answer.status,
        referenceId: sub.referenceId,
      });
    }
    res.json({ compositeResponse });
  });
  return router;
}
