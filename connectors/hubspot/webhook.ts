import type { TenantConfig } from '../../src/config/tenant-schema.ts';
import type { ChangeEvent } from '../../src/domain/change-event.ts';
import type { HubSpotWebhookEvent } from './schemas.ts';
import { parseWebhookBatch } from './webhook-batch.ts';
import {
  verifySignature,
  type SignatureFailure,
  type SignatureVersion,
  type VerifyOptions,
} from './signature.ts';
import { toChangeEvents } from './webhook-events.ts';

// What a HubSpot webhook delivery means, without HTTP: verify the signature over the raw bytes, parse the
// batch, route its events to tenants and translate them. The route (src/server/hubspot-webhook-route.ts)
// reads the request, enqueues and answers.

/** v3, and v1/v2 (`X-HubSpot-Signature` with `X-HubSpot-Signature-Version`). */
export const HUBSPOT_SIGNATURE_HEADERS = ['x-hubspot-signature-v3', 'x-hubspot-signature'] as const;

/** One delivery as received. */
export type HubSpotDelivery = Omit<VerifyOptions, 'secrets' | 'versions' | 'maxAgeMs' | 'maxFutureMs'>;

/** Why a delivery is refused, with the HTTP status HubSpot is answered. */
export type HubSpotRefusal =
  | { ok: false; status: 401; outcome: 'rejected_signature'; reason: SignatureFailure }
  | { ok: false; status: 400; outcome: 'rejected_malformed'; message: string; detail?: unknown };

export interface HubSpotAccepted {
  ok: true;
  /** Notifications in the batch. */
  received: number;
  /** Change events to enqueue. */
  events: ChangeEvent[];
  /** Notifications acknowledged without work (types we do not follow, no object). */
  ignored: number;
  /** Property changes folded into another event for the same contact. */
  collapsed: number;
  /** Notifications for portals no tenant claims, and those portals. */
  unknownPortal: number;
  unclaimedPortals: number[];
}

interface SecretGroup {
  secret: string;
  versions: SignatureVersion[];
  tenants: TenantConfig[];
  /** Which of this app's tenants owns a portal. */
  tenantOf: (portalId: number) => TenantConfig | undefined;
}

function secretGroups(tenants: TenantConfig[]): SecretGroup[] {
  const groups = new Map<string, { versions: Set<SignatureVersion>; tenants: TenantConfig[] }>();
  for (const tenant of tenants) {
    const secret = tenant.hubspot.clientSecret;
    if (!secret) continue;
    const group = groups.get(secret) ?? { versions: new Set(), tenants: [] };
    tenant.hubspot.signatureVersions.forEach((version) => group.versions.add(version));
    group.tenants.push(tenant);
    groups.set(secret, group);
  }
  return [...groups].map(([secret, group]) => ({
    secret,
    versions: [...group.versions],
    tenants: group.tenants,
    tenantOf: tenantResolver(tenants, group.tenants),
  }));
}

/**
 * Which tenant owns a portal: the one whose `hubspot.portalId` matches; failing that, a tenant that
 * names no portal, when it is the only such tenant (a single-tenant install that has not set portalId).
 */
function tenantResolver(
  all: TenantConfig[],
  own: TenantConfig[],
): (portalId: number) => TenantConfig | undefined {
  const unnamed = all.filter((tenant) => tenant.hubspot.portalId === undefined);
  const fallback = unnamed.length === 1 && own.includes(unnamed[0] as TenantConfig) ? unnamed[0] : undefined;
  const claimed = new Set(all.map((tenant) => tenant.hubspot.portalId));
  return (portalId) =>
    claimed.has(portalId) ? own.find((tenant) => tenant.hubspot.portalId === portalId) : fallback;
}

/**
 * Checks the delivery against each app secret with the versions its own tenants accept: HubSpot sends
 * v3 beside v1, so a v1-only app must be judged by its v1 header even when another app takes v3.
 */
function verifyForGroups(
  groups: SecretGroup[],
  delivery: HubSpotDelivery,
): { ok: true; group: SecretGroup } | { ok: false; reason: SignatureFailure } {
  let reason: SignatureFailure = 'no_secret';
  for (const group of groups) {
    const check = verifySignature({ ...delivery, secrets: [group.secret], versions: group.versions });
    if (check.ok) return { ok: true, group };
    reason = check.reason;
  }
  return { ok: false, reason };
}

/**
 * The intake of `tenants`' HubSpot apps: a function from one delivery to what it means, the change events
 * to enqueue or why it is refused. Secrets and portal routing are worked out once, here.
 */
export function hubspotWebhookIntake(
  tenants: TenantConfig[],
): (delivery: HubSpotDelivery) => HubSpotAccepted | HubSpotRefusal {
  const groups = secretGroups(tenants);
  return (delivery) => {
    const verified = verifyForGroups(groups, delivery);
    if (!verified.ok)
      return { ok: false, status: 401, outcome: 'rejected_signature', reason: verified.reason };

    let json: unknown;
    try {
      json = JSON.parse(delivery.rawBody.toString('utf8'));
    } catch {
      return { ok: false, status: 400, outcome: 'rejected_malformed', message: 'body is not JSON' };
    }
    const parsed = parseWebhookBatch(json);
    if (!parsed.success)
      return {
        ok: false,
        status: 400,
        outcome: 'rejected_malformed',
        message: 'body is not a HubSpot event array',
        detail: parsed.error.issues.slice(0, 5),
      };

    const { tenantOf } = verified.group;
    const byTenant = new Map<string, HubSpotWebhookEvent[]>();
    const unclaimed = new Set<number>();
    let unknownPortal = 0;
    for (const event of parsed.data) {
      const tenant = tenantOf(event.portalId);
      if (!tenant) {
        unknownPortal++;
        unclaimed.add(event.portalId);
        continue;
      }
      const events = byTenant.get(tenant.id);
      if (events) events.push(event);
      else byTenant.set(tenant.id, [event]);
    }
    const accepted: HubSpotAccepted = {
      ok: true,
      received: parsed.data.length,
      events: [],
      ignored: 0,
      collapsed: 0,
      unknownPortal,
      unclaimedPortals: [...unclaimed],
    };
    for (const [tenant, events] of byTenant) {
      const batch = toChangeEvents(tenant, events);
      accepted.events.push(...batch.events);
      accepted.ignored += batch.ignored;
      accepted.collapsed += batch.collapsed;
    }
    return accepted;
  };
}
