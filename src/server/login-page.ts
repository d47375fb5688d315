import { escapeHtml } from './report-page.ts';

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f5f7;color:#1d2733}
form{background:#fff;padding:28px 32px;border:1px solid #d8dee4;border-radius:8px;width:340px}
h1{font-size:20px;margin:0 0 14px}label{display:block;margin:0 0 6px;color:#46525e}
input[type=password]{width:100%;box-sizing:border-box;padding:8px;font:inherit;border:1px solid #b8c2cc;border-radius:4px}
button{margin-top:14px;padding:8px 16px;font:inherit;border:0;border-radius:4px;background:#2f6fb3;color:#fff;cursor:pointer}
.error{color:#b3261e;margin:0 0 10px}.note{color:#5d6975;font-size:13px;margin-top:14px}`;

/** The admin sign-in page: one form, inline CSS, no scripts, nothing loaded from anywhere. */
export function loginPage(options: { next: string; error?: string; disabled?: string }): string {
  const body = options.disabled
    ? `<form><h1>LeadBridge admin</h1><p class="error">${escapeHtml(options.disabled)}</p></form>`
    : `<form method="post" action="/login">
<h1>LeadBridge admin</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<label for="token">Admin token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<button type="submit">Sign in</button>
<p class="note">The value of LEADBRIDGE_ADMIN_TOKEN. The session lasts 8 hours.</p>
</form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>LeadBridge sign-in</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}
