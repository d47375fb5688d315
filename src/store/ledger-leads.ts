import type { Redis } from 'ioredis';
import type { LedgerEntry } from '../domain/ledger-entry.ts';
import { tenantKey } from './keys.ts';
import { LeadLedger } from './lead-ledger.ts';
import { LuaScript } from './lua-script.ts';

/**
 * Name of the tenant's ledger index: a set of the lead keys whose ledgers hold an entry the report reads
 * (`REPORTED`), kept by the script that appends to the ledgers (`SyncState.writeMany`). The report and
 * the timer sweep read those leads' ledgers. About 70 B per lead, where the list it replaces
 * (`LEGACY_LEDGER_INDEX`) kept a second copy of every reported entry, about 180 B per entry.
 */
export const LEDGER_LEADS = 'ledger-leads';

/** The list an earlier version kept instead: `<leadKey>\t<entry>` per reported entry, in append order. */
export const LEGACY_LEDGER_INDEX = 'ledger-index';

/** Entry types the report reads; refusals, score crossings and reminders are left out of its input. */
export const REPORTED = new Set<LedgerEntry['type']>(['transition', 'feedback', 'breach']);

/** Elements read per LRANGE of the legacy list, set members per SSCAN. */
const PAGE = 1_000;

/**
 * Moves up to ARGV[1] elements from the head of the legacy list (KEYS[1]) into the set (KEYS[2]), as
 * their lead keys, in one step: an element is either still in the list or its lead is in the set, even
 * while an older worker still appends to the list. Returns how many elements were moved.
 */
const MIGRATE_SCRIPT = new LuaScript(`
local popped = redis.call('LPOP', KEYS[1], ARGV[1])
if not popped then return 0 end
for _, element in ipairs(popped) do
  local tab = string.find(element, '\\t', 1, true)
  if tab and tab > 1 then redis.call('SADD', KEYS[2], string.sub(element, 1, tab - 1)) end
end
return #popped
`);

/**
 * One-shot upgrade of a tenant's report index from the list an earlier version kept (a copy of every
 * reported entry) to the set of lead keys; the entries themselves are in the leads' ledgers already.
 * Run by `leadbridge worker` at start; a no-op once done. Returns the list elements moved.
 */
export async function migrateLedgerIndex(redis: Redis, prefix: string, tenant: string): Promise<number> {
  const keys = [tenantKey(prefix, tenant, LEGACY_LEDGER_INDEX), tenantKey(prefix, tenant, LEDGER_LEADS)];
  let moved = 0;
  for (;;) {
    const count = Number(await MIGRATE_SCRIPT.run(redis, keys, [PAGE]));
    moved += count;
    if (count < PAGE) return moved;
  }
}

/**
 * The lead keys of a tenant whose ledgers the report reads, sorted: the set's members and, until
 * `migrateLedgerIndex` has run, the leads of the legacy list.
 */
export async function ledgerLeadKeys(redis: Redis, prefix: string, tenant: string): Promise<string[]> {
  const leads = new Set<string>();
  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(tenantKey(prefix, tenant, LEDGER_LEADS), cursor, 'COUNT', PAGE);
    for (const member of members) leads.add(member);
    cursor = next;
  } while (cursor !== '0');
  const legacy = tenantKey(prefix, tenant, LEGACY_LEDGER_INDEX);
  for (let start = 0; ; start += PAGE) {
    const page = await redis.lrange(legacy, start, start + PAGE - 1);
    for (const element of page) {
      const tab = element.indexOf('\t');
      if (tab > 0) leads.add(element.slice(0, tab));
    }
    if (page.length < PAGE) break;
  }
  return [...leads].sort();
}

export interface ReportedLedgers {
  leads: Array<{ leadKey: string; entries: LedgerEntry[] }>;
  /** Stored ledger entries that did not decode. */
  unreadable: number;
}

/** The reported entries of the given leads' ledgers, in ledger order; leads with none are left out. */
export async function readReportedLedgers(
  redis: Redis,
  prefix: string,
  tenant: string,
  leadKeys: readonly string[],
): Promise<ReportedLedgers> {
  const out: ReportedLedgers = { leads: [], unreadable: 0 };
  const ledgers = await new LeadLedger(redis, { prefix }).readMany(tenant, [...leadKeys]);
  for (const { leadKey, entries, corrupt } of ledgers) {
    out.unreadable += corrupt;
    const reported = entries.filter((entry) => REPORTED.has(entry.type));
    if (reported.length > 0) out.leads.push({ leadKey, entries: reported });
  }
  return out;
}
