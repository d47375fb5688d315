/**
 * Route template of a Salesforce URL, for counting calls by endpoint without one label per record id:
 * `GET https://x/services/data/v62.0/sobjects/Lead/00Q...` -> `GET /sobjects/Lead/{id}`.
 */
export function endpointTemplate(method: string, url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  const rest = /^\/services\/data\/v\d+\.\d+(\/.*)?$/.exec(path);
  if (rest) path = rest[1] ?? '/';
  const template = path
    .split('/')
    .map((segment, index, segments) => {
      if (/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(segment) && /\d/.test(segment) && index > 1)
        return '{id}';
      if (/^01g[a-zA-Z0-9]+-\d+$/.test(segment)) return '{locator}';
      if (segments[index - 1] === 'id' && index > 1) return '{id}';
      return segment;
    })
    .join('/');
  return `${method.toUpperCase()} ${template}`;
}
