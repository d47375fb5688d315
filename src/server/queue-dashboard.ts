import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** The bull-board dashboard of LeadBridge's queues (read-only: jobs can be inspected, not retried or removed). */
export function queueDashboard(queues: Queue[]): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'LeadBridge queues' } },
  });
  const router = serverAdapter.getRouter() as Router & { engines: Record<string, EjsEngine> };
  withoutExternalAssets(router);
  return router;
}

type EjsEngine = (path: string, options: object, callback: (err: unknown, html?: string) => void) => void;

/** bull-board's page links Google Fonts; the dashboard must load nothing from elsewhere (CSP, privacy). */
const EXTERNAL_LINK = /<link\b[^>]*href="https?:\/\/[^"]*"[^>]*>/gi;

/** Wraps the adapter's view engine so the rendered page drops every link to another origin. */
function withoutExternalAssets(router: { engines: Record<string, EjsEngine> }): void {
  const render = router.engines['.ejs'];
  if (!render) return;
  router.engines['.ejs'] = (path, options, callback) =>
    render(path, options, (err, html) => callback(err, html?.replace(EXTERNAL_LINK, '')));
}

/** The dashboard, built on its first request: an admin page need not cost every server start (or test app). */
export function lazyQueueDashboard(queues: () => Queue[]): RequestHandler {
  let dashboard: Router | undefined;
  return (req, res, next) => {
    dashboard ??= queueDashboard(queues());
    dashboard(req, res, next);
  };
}
