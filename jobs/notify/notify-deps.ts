import type { NotificationOutbox } from '../../src/store/notification-outbox.ts';
import type { RoundRobinStore } from '../../src/store/round-robin-store.ts';
import type { EngineDeps } from '../engine.ts';
import type { FetchLike } from './channels/http-post.ts';
import type { NotifyQueue } from './notify-queue.ts';

/** What the notify processor needs: the engine's connectors and stores, the outbox, the queue itself. */
export interface NotifyDeps {
  engine: EngineDeps;
  outbox: NotificationOutbox;
  roundRobin: RoundRobinStore;
  queue: NotifyQueue;
  /** HTTP for webhook and Slack deliveries (default the global fetch). */
  fetch?: FetchLike;
}

export function tenantOf(deps: NotifyDeps, tenant: string) {
  const config = deps.engine.config.tenants.find((t) => t.id === tenant);
  const connectors = deps.engine.connectors.get(tenant);
  return config && connectors ? { config, connectors } : null;
}
