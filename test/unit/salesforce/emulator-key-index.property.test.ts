import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrgStore } from '../../../connectors/salesforce/emulator/store.ts';
import type { Row } from '../../../connectors/salesforce/emulator/validation.ts';

// The emulator's upsert looks records up by external id through an index; it must answer exactly as a
// scan of every row does, whatever writes, deletes and rollbacks came before.
const scan = (store: OrgStore, field: string, value: string): Row[] =>
  store
    .rows('Lead')
    .filter(
      (row) =>
        !row.IsDeleted && typeof row[field] === 'string' && row[field].toLowerCase() === value.toLowerCase(),
    );

const key = fc.constantFrom('k1', 'K1', 'k2', 'k3', '');
const email = fc.constantFrom('a@x.example', 'A@x.example', 'b@x.example');
const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), key, email }),
  fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), key, email }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('restore' as const), pick: fc.nat(), key }),
  fc.record({ kind: fc.constant('lookup' as const), key, email }),
);

describe('Salesforce emulator: external-id lookup', () => {
  it('finds the same rows, in the same order, as a scan of every row', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 40 }), (lookFirst, ops) => {
        const store = new OrgStore({ orgId: '00D000000000001', now: () => 1_700_000_000_000 });
        const context = { userId: store.integrationUserId };
        if (lookFirst) store.findByExternalId('Lead', 'LeadBridge_Key__c', 'k1');
        const ids = () => store.rows('Lead').map((row) => String(row.Id));
        for (const step of ops) {
          const all = ids();
          const target = 'pick' in step && all.length > 0 ? all[step.pick % all.length] : undefined;
          switch (step.kind) {
            case 'insert':
              store.insert(
                'Lead',
                { LastName: 'L', Company: 'C', Email: step.email, LeadBridge_Key__c: step.key || null },
                context,
              );
              break;
            case 'update':
              if (target)
                store.update(
                  'Lead',
                  target,
                  { Email: step.email, LeadBridge_Key__c: step.key || null },
                  context,
                );
              break;
            case 'delete':
              if (target) store.delete('Lead', target, context);
              break;
            case 'restore':
              if (target)
                store.restore('Lead', target, { LeadBridge_Key__c: step.key || null, IsDeleted: false });
              break;
            case 'lookup':
              for (const [field, value] of [
                ['LeadBridge_Key__c', step.key],
                ['Email', step.email],
              ] as const)
                if (value)
                  expect(store.findByExternalId('Lead', field, value)).toEqual(scan(store, field, value));
          }
        }
        for (const value of ['k1', 'k2', 'k3'])
          expect(store.findByExternalId('Lead', 'LeadBridge_Key__c', value)).toEqual(
            scan(store, 'LeadBridge_Key__c', value),
          );
      }),
      { numRuns: 300 },
    );
  });
});
