import type { Row } from './validation.ts';

export interface EnvelopeNotification {
  /** 04l… notification id. */
  id: string;
  objectType: string;
  /** Field values as they are when the message is sent (Salesforce sends only the latest data). */
  fields: Row;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * An Outbound Message as Salesforce sends it since the week of 2026-02-23: no `SessionId` at all ("Send
 * Session ID" is gone and `IncludeSessionId` ignored; Salesforce Help KB 005232763), so a listener must
 * call back with its own OAuth token. Otherwise: a SOAP `notifications` call in the outbound namespace, each
 * `sObject` typed `sf:<Object>` in the enterprise namespace, null fields as `xsi:nil`.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
 */
export function buildOutboundEnvelope(options: {
  organizationId: string;
  actionId: string;
  baseUrl: string;
  apiVersion: string;
  notifications: EnvelopeNotification[];
}): string {
  const org15 = options.organizationId.slice(0, 15);
  const notifications = options.notifications
    .map((n) => {
      const fields = Object.entries(n.fields)
        .map(([name, value]) =>
          value === null
            ? `     <sf:${name} xsi:nil="true"/>`
            : `     <sf:${name}>${escapeXml(String(value))}</sf:${name}>`,
        )
        .join('\n');
      return `   <Notification>
    <Id>${escapeXml(n.id)}</Id>
    <sObject xsi:type="sf:${n.objectType}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
${fields}
    </sObject>
   </Notification>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${escapeXml(options.organizationId)}</OrganizationId>
   <ActionId>${escapeXml(options.actionId)}</ActionId>
   <EnterpriseUrl>${escapeXml(`${options.baseUrl}/services/Soap/c/${options.apiVersion}/${org15}`)}</EnterpriseUrl>
   <PartnerUrl>${escapeXml(`${options.baseUrl}/services/Soap/u/${options.apiVersion}/${org15}`)}</PartnerUrl>
${notifications}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>
`;
}
