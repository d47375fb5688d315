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
  return serverAdapter.getRouter() as Router;
}

/** The dashboard, built on its first request: an admin page need not cost every server start (or test app). */
export function lazyQueueDashboard(queues: () => Queue[]): RequestHandler {
  let dashboard: Router | undefined;
  return (req, res, next) => {
    dashboard ??= queueDashboard(queues());
    dashboard(req, res, next);
  };
}
