import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { OUTBOUND_MAX_NOTIFICATIONS } from './limits.ts';

/**
 * Parsing of Salesforce Outbound Messages (a SOAP `notifications` call).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
 */

const SObject = z.looseObject({
  /** `sf:Lead`, `sf:Contact`… (the xsi:type attribute). */
  '@_type': z.string().optional(),
  Id: z
    .string()
    .regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'not a Salesforce id')
    .optional(),
});

const Notification = z.object({
  Id: z.string().min(1).max(40),
  sObject: z.union([SObject, z.literal('')]).optional(),
});

const Notifications = z.object({
  OrganizationId: z.string().regex(/^00D[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/, 'not an organization id'),
  ActionId: z.string().min(1),
  SessionId: z.unknown().optional(),
  EnterpriseUrl: z.string().optional(),
  PartnerUrl: z.string().optional(),
  Notification: z.array(Notification).min(1).max(OUTBOUND_MAX_NOTIFICATIONS),
});

const Envelope = z.object({ Envelope: z.object({ Body: z.object({ notifications: Notifications }) }) });

export interface OutboundNotification {
  /** The notification id (04l…): the same on every redelivery, so it is the dedup key. */
  notificationId: string;
  /** e.g. `Lead`; undefined when the record was deleted before delivery and the message carries no data. */
  objectType: string | undefined;
  objectId: string | undefined;
  /** The fields the outbound message was set up to send, as strings (xsi:nil fields as null). */
  fields: Record<string, string | null>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  notifications: OutboundNotification[];
}

export type ParseResult =
  | { ok: true; message: OutboundMessage }
  | { ok: false; reason: 'forbidden_markup' | 'malformed_xml' | 'invalid_shape'; detail: string };

/** DTDs are where entity-expansion ("billion laughs") and external-entity attacks live; SOAP forbids them anyway. */
const FORBIDDEN_MARKUP = /<!DOCTYPE|<!ENTITY|<!\[INCLUDE|<!\[IGNORE/i;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Entities are never expanded by the parser; the five predefined ones and character references are
  // decoded below, by hand, so nothing can grow or reach outside the document.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'Notification',
  tagValueProcessor: (_name, value) => decodeXmlText(value),
});

/** Parses and validates an Outbound Message body; never throws. */
export function parseOutboundMessage(body: string): ParseResult {
  if (FORBIDDEN_MARKUP.test(body)) {
    return {
      ok: false,
      reason: 'forbidden_markup',
      detail: 'DOCTYPE and ENTITY declarations are not accepted',
    };
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    return { ok: false, reason: 'malformed_xml', detail: `${valid.err.msg} (line ${valid.err.line})` };
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch (err) {
    return { ok: false, reason: 'malformed_xml', detail: (err as Error).message };
  }
  const shape = Envelope.safeParse(parsed);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return {
      ok: false,
      reason: 'invalid_shape',
      detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'not an outbound message',
    };
  }
  const body_ = shape.data.Envelope.Body.notifications;
  return {
    ok: true,
    message: {
      organizationId: body_.OrganizationId,
      actionId: body_.ActionId,
      notifications: body_.Notification.map((notification) => toNotification(notification)),
    },
  };
}

function toNotification(notification: z.infer<typeof Notification>): OutboundNotification {
  const sObject = notification.sObject === '' ? undefined : notification.sObject;
  const fields: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(sObject ?? {})) {
    if (name.startsWith('@_')) continue;
    if (typeof value === 'string') fields[name] = value;
    else if (value && typeof value === 'object') {
      // An element with attributes (`xsi:type="xsd:string"`, `xsi:nil`) parses as an object; XML Schema
      // spells nil as "true" or "1".
      const element = value as Record<string, unknown>;
      const nil = element['@_nil'];
      if (nil === 'true' || nil === '1') fields[name] = null;
      else if (typeof element['#text'] === 'string') fields[name] = element['#text'];
      else if (Object.keys(element).every((key) => key.startsWith('@_'))) fields[name] = '';
    }
  }
  const type = sObject?.['@_type'];
  return {
    notificationId: notification.Id,
    objectType: type ? type.replace(/^.*:/, '') : undefined,
    objectId: sObject?.Id,
    fields,
  };
}

/**
 * The Organization id check. A 15-character id is case-sensitive; the 18-character form adds three
 * characters that encode which of the 15 are upper case, so it survives case-insensitive tools. Both
 * sides are brought back to their exact 15 characters before comparing.
 * https://help.salesforce.com/s/articleView?id=000385008
 */
export function sameOrgId(a: string, b: string): boolean {
  const x = exactId15(a);
  const y = exactId15(b);
  return x !== undefined && x === y;
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-exact 15-character id of a 15- or 18-character id, or undefined when it is not one. */
export function exactId15(id: string): string | undefined {
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return id;
  if (!/^[a-zA-Z0-9]{18}$/.test(id)) return undefined;
  let exact = '';
  for (let block = 0; block < 3; block += 1) {
    const bits = SUFFIX_ALPHABET.indexOf(id.charAt(15 + block).toUpperCase());
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i += 1) {
      const ch = id.charAt(block * 5 + i);
      const upper = (bits & (1 << i)) !== 0;
      if (/[0-9]/.test(ch) && upper) return undefined;
      exact += upper ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return exact;
}

/** Decodes the five predefined XML entities and character references; anything else stays literal. */
export function decodeXmlText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (match, entity: string) => {
    switch (entity) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

/** The acknowledgement Salesforce expects; anything else leaves the message queued for retry. */
export const ACK_ENVELOPE = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>
`;

/** A SOAP 1.1 fault: Salesforce treats it as a failed delivery and retries. */
export function soapFault(code: 'Client' | 'Server', message: string): string {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <soapenv:Fault>
   <faultcode>soapenv:${code}</faultcode>
   <faultstring>${escaped}</faultstring>
  </soapenv:Fault>
 </soapenv:Body>
</soapenv:Envelope>
`;
}
