/**
 * What an admin does about a record that failed with a given code: the vendors' own error codes that a
 * lead's data can cause, and LeadBridge's. Unknown codes point at `explain`, which shows the message.
 */
const FIXES: Record<string, string> = {
  REQUIRED_FIELD_MISSING:
    'fill the field the message names on the record in the other system, or add it to handoff.requiredFields so the gate holds such leads back; then `leadbridge retry`',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:
    'the value is not an active picklist value for the record type: add it in Salesforce Setup or correct it on the record (or the mapping); then `leadbridge retry`',
  STRING_TOO_LONG:
    'the value is longer than the Salesforce field allows: shorten it on the record or lengthen the field; then `leadbridge retry`',
  INVALID_EMAIL_ADDRESS: 'correct the email address on the record; then `leadbridge retry`',
  FIELD_CUSTOM_VALIDATION_EXCEPTION:
    'a validation rule in the org refused the write: change the record to satisfy it, or relax the rule; then `leadbridge retry`',
  INVALID_FIELD_FOR_INSERT_UPDATE:
    "give the integration user's permission set edit access to the field (field-level security); then `leadbridge retry`",
  CANNOT_UPDATE_CONVERTED_LEAD:
    'the Lead was converted: LeadBridge follows the Contact on the next poll; `leadbridge retry` if it stays',
  DUPLICATES_DETECTED:
    'a Salesforce duplicate rule blocked the create: merge the duplicates or let the integration user bypass the rule; then `leadbridge retry`',
  ENTITY_IS_DELETED: 'the record was deleted in its system; nothing to do unless it is restored',
  VALIDATION_ERROR:
    'HubSpot refused a property value (see the message): correct the value or the property options; then `leadbridge retry`',
  PROPERTY_DOESNT_EXIST:
    'create the HubSpot property or correct fields[].hubspot; `leadbridge doctor` lists them',
  INVALID_EMAIL: 'correct the email address on the record; then `leadbridge retry`',
  CONTACT_EXISTS:
    'another HubSpot contact already has this email: merge them in HubSpot; then `leadbridge retry`',
  LINK_CONFLICT:
    "two records claim the same lead, or a record with the lead's email belongs to another lead: `leadbridge explain` shows both; merge the duplicates (or correct the email), then `leadbridge retry`",
  EXISTS_AS_CONTACT:
    'the person is already a Salesforce Contact (not converted from a Lead), which LeadBridge does not sync, so no Lead was created: work them on the Contact; to sync them, give them a Lead with the same email (or change one email), then `leadbridge retry`',
  RECORD_NOT_FOUND: 'the record is gone from its system; nothing to do unless it comes back',
  STORE_CORRUPT: "LeadBridge's stored state of the lead is unreadable: `leadbridge retry` rebuilds it",
};

export function fixFor(code: string): string {
  return (
    FIXES[code] ??
    'see `leadbridge explain <record id>` for the message, correct the record, then `leadbridge retry`'
  );
}
