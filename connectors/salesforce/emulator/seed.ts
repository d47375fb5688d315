import { INDUSTRIES, LEAD_SOURCES } from './objects.ts';
import type { OrgStore } from './store.ts';

import { prng } from '../../emulator-support/prng.ts';

const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Sofia',
  'Noah',
  'Mia',
  'Lucas',
  'Emma',
  'Mateo',
  'Chloe',
  'Ethan',
  'Priya',
  'Kenji',
  'Fatima',
  'Diego',
  'Hannah',
  'Oliver',
  'Amara',
  'Jonas',
  'Leila',
  'Marco',
  'Ines',
  'Tomas',
  'Yuki',
  'Omar',
];
const LAST_NAMES = [
  'Nguyen',
  'Garcia',
  'Smith',
  'Okafor',
  'Schmidt',
  'Rossi',
  'Kowalski',
  'Tanaka',
  'Dubois',
  'Haddad',
  'Johansson',
  'Patel',
  'Moreau',
  'Silva',
  'Brown',
  'Novak',
  'Fischer',
  'Khan',
  'Lopez',
  'Murphy',
];
const COMPANY_WORDS = [
  'Northwind',
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Tyrell',
  'Hooli',
  'Vandelay',
  'Cyberdyne',
  'Soylent',
  'Aperture',
  'Massive',
  'Blue Sun',
  'Gringotts',
  'Oscorp',
  'Wonka',
  'Dunder',
  'Pied Piper',
];
const COMPANY_SUFFIXES = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'Group', 'Systems', 'Labs', 'Partners'];
const TITLES = [
  'Marketing Manager',
  'Director of Sales',
  'VP Engineering',
  'Head of Operations',
  'CTO',
  'Procurement Lead',
  'IT Director',
  'Founder',
  'Product Manager',
  'Analyst',
  'Director of Marketing',
  'Student',
];
export const REJECTION_REASONS = [
  'No budget this year',
  'Not the decision maker',
  'Bad contact data',
  'Already a customer of a competitor',
  'No response after 5 attempts',
  'Personal or student use',
];

/**
 * Adds `count` realistic leads: names, companies, titles, industries, statuses from the default picklist
 * (with a rejection reason on most `Closed - Not Converted` ones), some scored by LeadBridge, a few
 * converted (with Contact, Account and Opportunity, some won or lost). Imports come in small batches
 * that share one SystemModstamp second, as real imports do, which is what keyset cursors must survive.
 */
export function seedOrg(store: OrgStore, options: { count: number; seed: number; now: number }): string[] {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ids: string[] = [];
  let stampAt = options.now - 30 * 86_400_000;
  for (let i = 0; i < options.count; i += 1) {
    if (i % 5 === 0) stampAt += Math.floor(random() * (25 * 86_400_000)) / Math.max(1, options.count / 5);
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const word = pick(COMPANY_WORDS);
    const company = `${word} ${pick(COMPANY_SUFFIXES)}`;
    const domain = `${word.toLowerCase().replace(/\s+/g, '')}.example`;
    const roll = random();
    const status =
      roll < 0.4
        ? 'Open - Not Contacted'
        : roll < 0.7
          ? 'Working - Contacted'
          : roll < 0.9
            ? 'Closed - Not Converted'
            : 'Open - Not Contacted';
    const rejected = status === 'Closed - Not Converted';
    const scored = random() < 0.6;
    const values: Record<string, unknown> = {
      FirstName: first,
      LastName: last,
      Company: company,
      Email: `${first}.${last}${i}@${domain}`.toLowerCase(),
      Phone: `+1 415 555 ${String(1000 + Math.floor(random() * 9000))}`,
      Title: pick(TITLES),
      Industry: pick(INDUSTRIES),
      LeadSource: pick(LEAD_SOURCES),
      NumberOfEmployees: Math.floor(10 + random() * 5000),
      Status: status,
      ...(rejected && random() < 0.75 ? { Rejection_Reason__c: pick(REJECTION_REASONS) } : {}),
      ...(scored ? { LeadBridge_Score__c: Math.floor(random() * 100), LeadBridge_Stage__c: 'mql' } : {}),
    };
    // A bare org (no LeadBridge fields yet) gets the same leads without them; the random draws stay the same.
    for (const name of Object.keys(values)) if (store.absentFields.has(`Lead.${name}`)) delete values[name];
    const outcome = store.insert('Lead', values, { userId: store.repUserId, stampAt: Math.floor(stampAt) });
    if (!outcome.success) throw new Error(`seed lead invalid: ${JSON.stringify(outcome.errors)}`);
    ids.push(outcome.id);
    if (roll >= 0.9) {
      const context = {
        userId: store.repUserId,
        stampAt: Math.min(options.now, Math.floor(stampAt) + 3_600_000),
      };
      const converted = store.convertLead(outcome.id, { createOpportunity: true, context });
      const deal = random();
      if (converted.opportunityId && deal < 0.5) {
        store.closeOpportunity(converted.opportunityId, deal < 0.3, {
          userId: store.repUserId,
          stampAt: Math.min(options.now, context.stampAt + 7 * 86_400_000),
        });
      }
    }
  }
  return ids;
}
