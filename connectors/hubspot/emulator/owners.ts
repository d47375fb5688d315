import type { ApiRoute } from './api-router.ts';
import { EmulatorError } from './errors.ts';

/** A HubSpot user as `/crm/v3/owners` shows it; `archived` is a deactivated user. */
export interface EmulatedOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  archived: boolean;
}

/**
 * The portal's users, matching the Salesforce emulator's sales reps by email (Ana and Ben active; Cy
 * deactivated, so archived here too), plus a marketer with no Salesforce user.
 */
export function defaultOwners(): EmulatedOwner[] {
  return [
    {
      id: '101',
      email: 'ana@leadbridge.example',
      firstName: 'Ana',
      lastName: 'Alvarez',
      userId: 9001,
      archived: false,
    },
    {
      id: '102',
      email: 'ben@leadbridge.example',
      firstName: 'Ben',
      lastName: 'Baker',
      userId: 9002,
      archived: false,
    },
    {
      id: '103',
      email: 'cy@leadbridge.example',
      firstName: 'Cy',
      lastName: 'Chen',
      userId: 9003,
      archived: true,
    },
    {
      id: '104',
      email: 'marketing@leadbridge.example',
      firstName: 'Mia',
      lastName: 'Marketer',
      userId: 9004,
      archived: false,
    },
  ];
}

const STAMP = '2025-01-06T09:00:00.000Z';

function toPublicOwner(owner: EmulatedOwner) {
  return {
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: STAMP,
    updatedAt: STAMP,
    archived: owner.archived,
    teams: [],
  };
}

/**
 * `GET /crm/v3/owners` (filter by `email`, `archived=true` lists only deactivated users, paging by `after`)
 * and `GET /crm/v3/owners/{ownerId}`.
 * https://developers.hubspot.com/docs/api-reference/crm-owners-v3/guide
 */
export function ownerRoutes(owners: () => EmulatedOwner[]): ApiRoute[] {
  return [
    {
      method: 'get',
      template: '/crm/v3/owners',
      handle(req) {
        const archived = String(req.query.archived ?? 'false') === 'true';
        const email = typeof req.query.email === 'string' ? req.query.email.toLowerCase() : undefined;
        const limit = Math.min(500, Number(req.query.limit ?? 100) || 100);
        const after = Number(req.query.after ?? 0) || 0;
        const matching = owners().filter(
          (owner) =>
            owner.archived === archived && (email === undefined || owner.email.toLowerCase() === email),
        );
        const page = matching.slice(after, after + limit);
        const next =
          after + limit < matching.length ? { paging: { next: { after: String(after + limit) } } } : {};
        return { status: 200, body: { results: page.map(toPublicOwner), ...next } };
      },
    },
    {
      method: 'get',
      template: '/crm/v3/owners/:ownerId',
      handle(req) {
        const archived = String(req.query.archived ?? 'false') === 'true';
        const owner = owners().find((o) => o.id === String(req.params.ownerId) && o.archived === archived);
        if (!owner) throw new EmulatorError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        return { status: 200, body: toPublicOwner(owner) };
      },
    },
  ];
}
