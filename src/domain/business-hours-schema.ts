import { z } from 'zod';

const Clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day is HH:MM, 24-hour (e.g. "09:00", "17:30")');

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a holiday is a date, YYYY-MM-DD');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Working time for the SLA clock: when set, "follow up within 1h" means one working hour. Days are ISO
 * weekdays (1 = Monday ... 7 = Sunday), hours are local wall-clock times in `timeZone`.
 */
export const BusinessHours = z
  .strictObject({
    timeZone: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'an IANA time zone such as "Europe/Berlin" or "America/New_York"')
      .describe('IANA time zone the working hours and holidays are in.'),
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .default([1, 2, 3, 4, 5])
      .describe('Working days as ISO weekdays: 1 = Monday ... 7 = Sunday.'),
    start: Clock.default('09:00').describe('Start of the working day, local time (HH:MM).'),
    end: Clock.default('17:00').describe('End of the working day, local time (HH:MM).'),
    holidays: z.array(IsoDate).default([]).describe('Dates (YYYY-MM-DD, local) with no working time.'),
  })
  .refine((hours) => hours.start < hours.end, {
    message: 'the working day must end after it starts',
    path: ['end'],
  });
export type BusinessHours = z.infer<typeof BusinessHours>;
