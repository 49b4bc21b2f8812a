/**
 * A URL as logs, the CLI and the status page may show it: by its origin only, with "/…" when it
 * has more. Hook URLs (Zapier's, Make's) carry their secret in the path.
 */
export function urlByOrigin(url: string): string {
  if (!URL.canParse(url)) return '(malformed URL)';
  const { origin, pathname, search } = new URL(url);
  return pathname === '/' && search === '' ? origin : `${origin}/…`;
}
