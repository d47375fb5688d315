import { z } from 'zod';

/**
 * Shapes of the Salesforce responses the connector relies on. Records keep their other fields
 * (`looseObject`), because which fields come back depends on the config's field mapping.
 */

/** OAuth2 token response; `id` is the identity URL `.../id/<orgId>/<userId>` that jsforce parses. */
export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.string().min(1),
  id: z.string().min(1),
  refresh_token: z.string().optional(),
  issued_at: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** `GET /services/oauth2/userinfo` (OpenID Connect): who the integration user is. */
export const UserInfo = z.looseObject({ user_id: z.string().min(1), organization_id: z.string().min(1) });
export type UserInfo = z.infer<typeof UserInfo>;

const SfDateTime = z.string().min(1);

export const QueryResult = z.looseObject({
  totalSize: z.number().int(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type QueryResult = z.infer<typeof QueryResult>;

/** A Lead row as the connector queries it; mapped fields travel alongside. */
export const LeadRow = z.looseObject({
  Id: z.string().min(15),
  SystemModstamp: SfDateTime,
  CreatedDate: SfDateTime.nullable().optional(),
  IsDeleted: z.boolean().optional(),
  IsConverted: z.boolean().optional(),
  ConvertedContactId: z.string().nullable().optional(),
  ConvertedOpportunityId: z.string().nullable().optional(),
  /** On a Lead deleted by a merge: the surviving Lead. */
  MasterRecordId: z.string().nullable().optional(),
  LastModifiedById: z.string().nullable().optional(),
  Status: z.string().nullable().optional(),
});
export type LeadRow = z.infer<typeof LeadRow>;

export const ContactRow = z.looseObject({
  Id: z.string().min(15),
  SystemModstamp: SfDateTime,
  LastModifiedById: z.string().nullable().optional(),
});
export type ContactRow = z.infer<typeof ContactRow>;

export const OpportunityRow = z.looseObject({
  Id: z.string().min(15),
  SystemModstamp: SfDateTime,
  IsClosed: z.boolean(),
  IsWon: z.boolean(),
  StageName: z.string().nullable().optional(),
});
export type OpportunityRow = z.infer<typeof OpportunityRow>;

export const LeadStatusRow = z.looseObject({
  ApiName: z.string().min(1),
  IsConverted: z.boolean(),
  IsDefault: z.boolean(),
});
export type LeadStatusRow = z.infer<typeof LeadStatusRow>;

/** One record's result in an sObject Collections create/update response. */
export const SaveResult = z.looseObject({
  id: z.string().nullable().optional(),
  success: z.boolean(),
  /** Upserts only: true when the record was inserted, false when an existing one was updated. */
  created: z.boolean().optional(),
  errors: z.array(
    z.looseObject({
      statusCode: z.string(),
      message: z.string(),
      fields: z.array(z.string()).optional(),
    }),
  ),
});
export type SaveResult = z.infer<typeof SaveResult>;
export const SaveResults = z.array(SaveResult);

export const DescribeField = z.looseObject({
  name: z.string(),
  type: z.string(),
  updateable: z.boolean(),
  createable: z.boolean(),
  custom: z.boolean(),
  nillable: z.boolean().optional(),
  defaultedOnCreate: z.boolean().optional(),
  restrictedPicklist: z.boolean().optional(),
  length: z.number().optional(),
  unique: z.boolean().optional(),
  externalId: z.boolean().optional(),
  picklistValues: z
    .array(z.looseObject({ value: z.string(), active: z.boolean(), defaultValue: z.boolean() }))
    .optional(),
});
export type DescribeField = z.infer<typeof DescribeField>;

export const DescribeResult = z.looseObject({ name: z.string(), fields: z.array(DescribeField) });
export type DescribeResult = z.infer<typeof DescribeResult>;

/** The REST API's error body: `[{ message, errorCode }]`. */
export const ApiErrors = z.array(z.looseObject({ errorCode: z.string(), message: z.string() }));

/** A composite call's answer: one per subrequest, in order. */
export const CompositeResult = z.looseObject({
  compositeResponse: z.array(
    z.looseObject({
      body: z.unknown(),
      httpStatusCode: z.number().int(),
      referenceId: z.string(),
    }),
  ),
});
export type CompositeResult = z.infer<typeof CompositeResult>;

/** `GET /limits`: only the daily API allocation is read. */
export const LimitsResponse = z.looseObject({
  DailyApiRequests: z.looseObject({ Max: z.number().int(), Remaining: z.number().int() }),
});
export type LimitsResponse = z.infer<typeof LimitsResponse>;
