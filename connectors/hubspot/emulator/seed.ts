import { prng } from '../../emulator-support/prng.ts';
import {
  CITIES,
  COMPANIES,
  FIRST_NAMES,
  FREE_MAIL,
  LAST_NAMES,
  LEAD_STATUS_BY_STAGE,
  SOURCES,
  STAGES,
  TITLES,
} from './seed-data.ts';
import type { ContactStore } from './store.ts';

const DAY_MS = 86_400_000;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function weighted<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [item, weight] of items) {
    roll -= weight;
    if (roll < 0) return item;
  }
  return (items.at(-1) as readonly [T, number])[0];
}

function ascii(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/**
 * Realistic contact properties, the same for the same seed and clock: names, companies with emails on
 * their own domains (about one in five on free mail, without a company), titles, lifecycle stages and
 * lead statuses in a plausible funnel mix, page views and recent activity skewed towards the better leads.
 */
export function seedProperties(seed: number, index: number, now: number): Record<string, string> {
  const random = prng(seed * 1_000_003 + index);
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const freeMail = random() < 0.2;
  const [company, domain, industry, employees] = pick(random, COMPANIES);
  const handle = `${ascii(first)}.${ascii(last)}${index}`;
  const email = `${handle}@${freeMail ? pick(random, FREE_MAIL) : domain}`;
  const stage = weighted(random, STAGES);
  const status = weighted(random, LEAD_STATUS_BY_STAGE[stage] ?? [[null, 1]]);
  const engaged = ['marketingqualifiedlead', 'salesqualifiedlead', 'opportunity'].includes(stage);
  const views = Math.floor(random() ** (engaged ? 1 : 2.5) * (engaged ? 90 : 40));
  const [city, country] = pick(random, CITIES);
  const createdDaysAgo = Math.floor(random() * 720) + 1;
  const lastActivityDaysAgo = Math.floor(random() ** (engaged ? 3 : 1) * Math.min(createdDaysAgo, 120));
  const properties: Record<string, string> = {
    email,
    firstname: first,
    lastname: last,
    jobtitle: pick(random, TITLES),
    lifecyclestage: stage,
    hs_analytics_num_page_views: String(views),
    hs_analytics_num_visits: String(Math.max(1, Math.floor(views / 3))),
    hs_analytics_source: weighted(random, SOURCES),
    city,
    country,
    createdate: new Date(now - createdDaysAgo * DAY_MS).toISOString(),
    notes_last_updated: new Date(
      now - lastActivityDaysAgo * DAY_MS - Math.floor(random() * DAY_MS),
    ).toISOString(),
  };
  if (!freeMail) {
    Object.assign(properties, {
      company,
      website: `https://www.${domain}`,
      industry,
      numemployees: employees,
    });
  }
  if (status) properties.hs_lead_status = status;
  if (random() < 0.6)
    properties.phone = `+1 ${200 + Math.floor(random() * 700)}-555-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
  if (random() < 0.5)
    properties.hs_email_last_open_date = new Date(now - Math.floor(random() * 60) * DAY_MS).toISOString();
  if (engaged && random() < 0.7)
    properties.recent_conversion_date = new Date(now - Math.floor(random() * 30) * DAY_MS).toISOString();
  return properties;
}

/**
 * Adds `count` seeded contacts as if they had always been there (no webhooks, IMPORT source); their
 * createdate is in the past and lastmodifieddate a little after it.
 */
export function seedContacts(store: ContactStore, count: number, seed: number): string[] {
  const now = store.clock();
  const ids: string[] = [];
  const start = store.size;
  const listener = store.onChange;
  store.onChange = () => {};
  try {
    for (let index = start; index < start + count; index++) {
      const { createdate, ...properties } = seedProperties(seed, index, now);
      const createdAt = Date.parse(createdate as string);
      const contact = store.create(properties, 'IMPORT', createdAt);
      const modifiedAt = Math.min(now, Date.parse(properties.notes_last_updated as string));
      contact.updatedAt = Math.max(createdAt, modifiedAt);
      contact.properties.lastmodifieddate = new Date(contact.updatedAt).toISOString();
      ids.push(contact.id);
    }
  } finally {
    store.onChange = listener;
  }
  return ids;
}
