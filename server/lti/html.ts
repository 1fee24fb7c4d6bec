import { randomBytes } from "node:crypto";

/**
 * The few HTML pages the LTI endpoints answer with themselves (they run
 * before anyone is signed in, inside an LMS's flow): a refusal that says
 * what was wrong, and a form that posts itself onward. Plain strings with
 * every value escaped; a script nonce is the only script allowed to run.
 */

/** `text` safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string, nonce?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Runtime Labs</title>
<style${nonce ? ` nonce="${nonce}"` : ""}>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#18181b}h1{font-size:1.4rem}.detail{color:#52525b;font-size:.9rem}button{padding:.4rem 1rem}</style>
</head>
<body>
${body}
</body>
</html>`;
}

function headers(nonce: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'`,
    "referrer-policy": "no-referrer",
    ...extra,
  };
}

/** A refused launch (or login, or deep link): what went wrong and what to do, with a 4xx status. */
export function refusalPage(status: number, sentence: string, advice: string, extraHeaders: Record<string, string> = {}): Response {
  const nonce = randomBytes(16).toString("base64");
  const body = `<h1 data-testid="lti-refused">This LMS launch was refused</h1>
<p data-testid="lti-reason">${escapeHtml(sentence)}</p>
<p class="detail">${escapeHtml(advice)}</p>`;
  return new Response(page("Launch refused", body, nonce), { status, headers: headers(nonce, extraHeaders) });
}

/**
 * A page whose form POSTs `fields` to `action` as soon as it loads (the
 * LTI way to hand a signed message to the other side through the browser),
 * with a button for browsers that run no script.
 */
export function autoPostPage(action: string, fields: Record<string, string>, title: string, extraHeaders: Record<string, string> = {}): Response {
  const nonce = randomBytes(16).toString("base64");
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const body = `<form id="post" method="post" action="${escapeHtml(action)}">
${inputs}
<p>${escapeHtml(title)}…</p>
<noscript><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.getElementById("post").submit();</script>`;
  return new Response(page(title, body, nonce), { status: 200, headers: headers(nonce, extraHeaders) });
}
