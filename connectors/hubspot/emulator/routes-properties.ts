import { badRequest, EmulatorError } from './errors.ts';
import type { ApiRoute } from './api-router.ts';
import { propertyResource, type PropertyDefinition } from './property-catalog.ts';
import type { ContactStore } from './store.ts';

// https://developers.hubspot.com/docs/api/crm/properties (properties-v3 OpenAPI in test/fixtures/hubspot)

const TYPES = new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']);

function checkObjectType(objectType: unknown): void {
  if (objectType !== 'contacts' && objectType !== '0-1')
    throw new EmulatorError(
      400,
      'VALIDATION_ERROR',
      `Unable to infer object type from: ${String(objectType)}`,
    );
}

export function propertyRoutes(store: ContactStore): ApiRoute[] {
  return [
    {
      method: 'get',
      template: '/crm/v3/properties/:objectType',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        return { status: 200, body: { results: [...store.properties.values()].map(propertyResource) } };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/properties/:objectType',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        const body = (req.body ?? {}) as Partial<PropertyDefinition>;
        for (const field of ['name', 'label', 'type', 'fieldType', 'groupName'] as const)
          if (typeof body[field] !== 'string' || body[field] === '')
            throw badRequest(`"${field}" is required`, 'REQUIRED_FIELD');
        const name = body.name as string;
        if (!/^[a-z][a-z0-9_]*$/.test(name))
          throw badRequest(
            `Property name "${name}" must be lower-case letters, digits and _`,
            'INVALID_PROPERTY_NAME',
          );
        if (!TYPES.has(body.type as string))
          throw badRequest(`Unknown property type ${String(body.type)}`, 'INVALID_TYPE');
        if (store.properties.has(name))
          throw new EmulatorError(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
        if (!store.groups.has(body.groupName as string))
          throw badRequest(`Property group ${String(body.groupName)} does not exist`, 'INVALID_GROUP');
        if (body.type === 'enumeration' && (!Array.isArray(body.options) || body.options.length === 0))
          throw badRequest('Enumeration properties need options', 'MISSING_OPTIONS');
        const now = new Date(store.clock()).toISOString();
        const property: PropertyDefinition = {
          name,
          label: body.label as string,
          type: body.type as PropertyDefinition['type'],
          fieldType: body.fieldType as string,
          groupName: body.groupName as string,
          description: body.description ?? '',
          options: (body.options ?? []).map((option, index) => ({
            label: option.label,
            value: option.value,
            displayOrder: option.displayOrder ?? index,
            hidden: option.hidden ?? false,
          })),
          displayOrder: body.displayOrder ?? -1,
          hubspotDefined: false,
          hasUniqueValue: body.hasUniqueValue ?? false,
          createdAt: now,
          updatedAt: now,
        };
        store.properties.set(name, property);
        return { status: 201, body: propertyResource(property) };
      },
    },
    {
      method: 'get',
      template: '/crm/v3/properties/:objectType/groups',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        return { status: 200, body: { results: [...store.groups.values()] } };
      },
    },
    {
      method: 'post',
      template: '/crm/v3/properties/:objectType/groups',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        const body = (req.body ?? {}) as { name?: unknown; label?: unknown; displayOrder?: unknown };
        if (typeof body.name !== 'string' || typeof body.label !== 'string')
          throw badRequest('"name" and "label" are required', 'REQUIRED_FIELD');
        if (store.groups.has(body.name))
          throw new EmulatorError(
            409,
            'OBJECT_ALREADY_EXISTS',
            `Property group '${body.name}' already exists.`,
          );
        const group = {
          name: body.name,
          label: body.label,
          displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
          archived: false,
        };
        store.groups.set(group.name, group);
        return { status: 201, body: group };
      },
    },
    {
      method: 'get',
      template: '/crm/v3/properties/:objectType/groups/:groupName',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        const group = store.groups.get(String(req.params.groupName));
        if (!group)
          throw new EmulatorError(
            404,
            'OBJECT_NOT_FOUND',
            `Unable to find property group ${String(req.params.groupName)}`,
          );
        return { status: 200, body: group };
      },
    },
    {
      method: 'get',
      template: '/crm/v3/properties/:objectType/:propertyName',
      handle: (req) => {
        checkObjectType(req.params.objectType);
        const property = store.properties.get(String(req.params.propertyName));
        if (!property)
          throw new EmulatorError(
            404,
            'OBJECT_NOT_FOUND',
            `Property ${String(req.params.propertyName)} does not exist`,
          );
        return { status: 200, body: propertyResource(property) };
      },
    },
  ];
}
