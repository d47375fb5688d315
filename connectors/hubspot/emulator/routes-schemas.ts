import type { ApiRoute } from './api-router.ts';
import { EmulatorError } from './errors.ts';
import type { ContactStore } from './store.ts';

// The contacts object schema, for the properties the portal requires on record creation
// (`requiredProperties`, as the CRM object-schemas API returns it for an object type).
// https://developers.hubspot.com/docs/api/crm/crm-custom-objects (ObjectSchema: requiredProperties,
// searchableProperties, primaryDisplayProperty). That standard objects answer here is our assumption.

export function schemaRoutes(store: ContactStore): ApiRoute[] {
  return [
    {
      method: 'get',
      template: '/crm-object-schemas/v3/schemas/:objectType',
      handle: (req) => {
        const objectType = String(req.params.objectType);
        if (objectType !== 'contacts' && objectType !== '0-1')
          throw new EmulatorError(404, 'OBJECT_NOT_FOUND', `Unable to find object type ${objectType}`);
        const now = new Date(store.clock()).toISOString();
        return {
          status: 200,
          body: {
            id: '0-1',
            objectTypeId: '0-1',
            name: 'contacts',
            fullyQualifiedName: 'contacts',
            labels: { singular: 'Contact', plural: 'Contacts' },
            primaryDisplayProperty: 'email',
            requiredProperties: [...store.requiredProperties],
            searchableProperties: ['email', 'firstname', 'lastname', 'phone', 'company'],
            secondaryDisplayProperties: ['firstname', 'lastname'],
            archived: false,
            createdAt: now,
            updatedAt: now,
          },
        };
      },
    },
  ];
}
