import {
  PropertyCreateFieldTypeEnum as FieldType,
  PropertyCreateTypeEnum as Type,
  type PropertyCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { SIDE_STATES } from '../../src/domain/lifecycle-schema.ts';
import type { SetupCheck } from '../types.ts';
import type { HubSpotClient } from './client.ts';
import type { MappingConfig } from './mapping.ts';
import {
  createProperty,
  createPropertyGroup,
  getPropertyGroup,
  listProperties,
} from './properties-client.ts';

// https://developers.hubspot.com/docs/api/crm/properties: the `leadbridge` group and the contact
// properties LeadBridge writes (score, stage, rejection reason and time, SLA due time and breach).

type Definition = Omit<PropertyCreate, 'groupName'>;

/** The contact properties the config needs, named as the config names them. */
export function propertyDefinitions(config: MappingConfig): Definition[] {
  const names = config.customFields.hubspot;
  const stages = [...config.lifecycle.stages, ...SIDE_STATES];
  const option = (value: string, displayOrder: number) => ({
    label: value,
    value,
    displayOrder,
    hidden: false,
  });
  return [
    {
      name: names.score,
      label: 'LeadBridge score',
      type: Type.Number,
      fieldType: FieldType.Number,
      description: 'Lead score agreed by sales and marketing, computed by LeadBridge.',
    },
    {
      name: names.stage,
      label: 'LeadBridge stage',
      type: Type.Enumeration,
      fieldType: FieldType.Select,
      description: 'Shared lifecycle stage, the same in HubSpot and Salesforce.',
      options: stages.map(option),
    },
    {
      name: names.rejectionReason,
      label: 'LeadBridge rejection reason',
      type: Type.String,
      fieldType: FieldType.Textarea,
      description: 'Why sales rejected the lead.',
    },
    {
      name: names.rejectedAt,
      label: 'LeadBridge rejected at',
      type: Type.Datetime,
      fieldType: FieldType.Date,
      description: 'When sales rejected the lead.',
    },
    {
      name: names.slaDueAt,
      label: 'LeadBridge SLA due at',
      type: Type.Datetime,
      fieldType: FieldType.Date,
      description: 'When sales must have followed up.',
    },
    {
      name: names.slaBreached,
      label: 'LeadBridge SLA breached',
      type: Type.Enumeration,
      fieldType: FieldType.Booleancheckbox,
      description: 'Sales missed the follow-up deadline.',
      options: [
        { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
        { label: 'No', value: 'false', displayOrder: 1, hidden: false },
      ],
    },
    {
      name: names.gateReason,
      label: 'LeadBridge handoff gate reason',
      type: Type.String,
      fieldType: FieldType.Textarea,
      description: 'Why the handoff gate keeps this lead with marketing (blank once it passes).',
    },
  ];
}

export interface InstallAction {
  action: 'create_group' | 'create_property';
  name: string;
  done: boolean;
}

/** Creates the group and the properties that are missing (nothing when `dryRun`); returns what it did or would do. */
export async function installProperties(
  client: HubSpotClient,
  config: MappingConfig,
  dryRun: boolean,
): Promise<InstallAction[]> {
  const actions: InstallAction[] = [];
  const group = config.customFields.hubspot.group;
  if (!(await getPropertyGroup(client, group))) {
    if (!dryRun) await createPropertyGroup(client, { name: group, label: 'LeadBridge', displayOrder: -1 });
    actions.push({ action: 'create_group', name: group, done: !dryRun });
  }
  const existing = await listProperties(client);
  for (const definition of propertyDefinitions(config)) {
    if (existing.has(definition.name)) continue;
    if (!dryRun) await createProperty(client, { ...definition, groupName: group });
    actions.push({ action: 'create_property', name: definition.name, done: !dryRun });
  }
  return actions;
}

/** Whether the token works and the group and properties exist with the expected types. */
export async function checkProperties(client: HubSpotClient, config: MappingConfig): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  const group = config.customFields.hubspot.group;
  const found = await getPropertyGroup(client, group);
  checks.push({
    name: `hubspot property group ${group}`,
    ok: found !== null,
    detail: found ? 'exists' : 'missing',
    ...(found ? {} : { fix: 'run `leadbridge install`' }),
  });
  const existing = await listProperties(client);
  for (const definition of propertyDefinitions(config)) {
    const property = existing.get(definition.name);
    const ok = property !== undefined && property.type === String(definition.type);
    checks.push({
      name: `hubspot contact property ${definition.name}`,
      ok,
      detail: property ? `type ${property.type}` : 'missing',
      ...(ok
        ? {}
        : { fix: property ? `change its type to ${String(definition.type)}` : 'run `leadbridge install`' }),
    });
  }
  checks.push(...mappedPropertyChecks(existing, config));
  return checks;
}

/**
 * Every HubSpot property the `fields[]` mapping reads or writes must exist in the portal: a misspelled or
 * deleted one would make every batch read or write of contacts fail. (LeadBridge's own properties are
 * checked above; `install` creates those, not these.)
 */
export function mappedPropertyChecks(
  existing: ReadonlyMap<string, unknown>,
  config: MappingConfig,
): SetupCheck[] {
  return config.fields
    .filter((field) => field.hubspot !== undefined && field.ownership !== 'none')
    .map((field) => {
      const name = field.hubspot!;
      const ok = existing.has(name);
      return {
        name: `hubspot mapped property ${name}`,
        ok,
        detail: ok
          ? `fields[] ${field.canonical} -> ${name} exists`
          : `fields[] ${field.canonical} -> ${name}: the portal has no such contact property`,
        ...(ok
          ? {}
          : {
              fix: `correct fields[].hubspot for ${field.canonical} (property internal names are in HubSpot Settings > Properties), or create the property in HubSpot`,
            }),
      };
    });
}
