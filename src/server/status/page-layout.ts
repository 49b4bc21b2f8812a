import { createHash } from 'node:crypto';
import type { Reply } from '../respond';
import { Html, html } from './html';

/**
 * The one stylesheet, inline: no build step, no external asset, and the page still works when the
 * receiver is the only thing reachable. Narrow screens get one column and tables that scroll.
 */
const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#5b6470;--bg:#fff;--card:#f4f6f8;--line:#d6dbe1;--bad:#b42318;--warn:#9a6700;--ok:#1a7f37;--accent:#0b5cad}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--muted:#9aa4b0;--bg:#111418;--card:#1b2027;--line:#2d343d;--bad:#ff7b72;--warn:#d29922;--ok:#3fb950;--accent:#58a6ff}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;border-bottom:1px solid var(--line)}
header h1{font-size:1.1rem;margin:0}
header h1 a{color:inherit;text-decoration:none}
main{max-width:72rem;margin:0 auto;padding:1rem}
section{margin:0 0 1.75rem}
h2{font-size:1rem;margin:0 0 .5rem}
a{color:var(--accent)}
.sandbox{background:var(--warn);color:#fff;font-weight:700;padding:.4rem 1rem;text-align:center;letter-spacing:.05em}
.muted{color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
.tile{background:var(--card);border-radius:.5rem;padding:.5rem .75rem}
.tile b{display:block;font-size:1.5rem}
.tile.bad b{color:var(--bad)}
.card{background:var(--card);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 .75rem;overflow-wrap:anywhere}
.card.bad{border-left:.3rem solid var(--bad)}
.fix{font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.when{white-space:nowrap}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
form.search{display:flex;gap:.5rem;flex:1 1 20rem;max-width:32rem}
input[type=search],input[type=password]{flex:1;min-width:0;padding:.45rem .6rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg);font:inherit}
button{padding:.45rem .9rem;border:0;border-radius:.4rem;background:var(--accent);color:#fff;font:inherit;cursor:pointer}
.state-bad{color:var(--bad);font-weight:600}
.state-ok{color:var(--ok);font-weight:600}
footer{color:var(--muted);font-size:.85rem;padding:1rem;text-align:center}
@media (max-width:40rem){dl{grid-template-columns:1fr}dt{margin-top:.4rem}td,th{white-space:nowrap}}
`;

const STYLE_HASH = createHash('sha256').update(CSS).digest('base64');
/**
 * Ours and constant: the one text the page puts in unescaped. Built outside the page's template so
 * that formatting the template can never change the bytes the policy's hash covers.
 */
const STYLE_ELEMENT = new Html(`<style>${CSS}</style>`);

/**
 * Nothing but this page's own stylesheet may load or run: no scripts at all, no frames, forms
 * only to this receiver.
 */
const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; ` +
  "base-uri 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The login URL carries the token: no page of ours may hand it on in a Referer.
  'Referrer-Policy': 'no-referrer',
};

export interface PageOptions {
  title: string;
  sandbox: boolean;
  /** The search box's current text. */
  query?: string;
  /** Pages for people who have not logged in carry no search box or log-out link. */
  signedIn: boolean;
  body: Html;
}

export function page(options: PageOptions): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${options.sandbox ? 'SANDBOX · ' : ''}${options.title} · calendly-zoom</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        ${options.sandbox ? html`<div class="sandbox">SANDBOX: simulated Zoom, sample bookings; nothing here is real</div>` : ''}
        <header>
          <h1><a href="/">calendly-zoom status</a></h1>
          ${
            options.signedIn
              ? html`<form class="search" method="get" action="/bookings" role="search">
                  <input
                    type="search"
                    name="q"
                    value="${options.query ?? ''}"
                    placeholder="Invitee email, Calendly URI or Zoom meeting id"
                    aria-label="Find a booking"
                  />
                  <button type="submit">Find</button>
                </form>`
              : ''
          }
        </header>
        <main>${options.body}</main>
        ${options.signedIn ? html`<footer><a href="/logout">Log out</a></footer>` : ''}
      </body>
    </html> `;
}

/** An HTML answer with the page's security headers; `fields` go to the request log line. */
export function htmlReply(
  status: number,
  document: Html,
  extra: { headers?: Record<string, string>; fields?: Reply['fields'] } = {},
): Reply {
  return {
    status,
    body: {},
    document: { contentType: 'text/html; charset=utf-8', text: document.text },
    headers: { ...SECURITY_HEADERS, ...extra.headers },
    level: status >= 400 ? 'warn' : 'info',
    fields: extra.fields ?? {},
  };
}
