// Helpers that write Make formulas (the `{{…}}` language in module fields). Kept tiny and textual
// so the generated blueprint reads exactly like one built by hand in Make's editor.

/** `{{expr}}`: a formula embedded in a text field. */
export function formula(expr: string): string {
  return `{{${expr}}}`;
}

/** A module's output inside a formula: `out(12, 'data.id')` → `12.data.id`. */
export function out(moduleId: number, path: string): string {
  return `${moduleId}.${path}`;
}

/**
 * A string literal inside a formula. Make's formula language has no escape sequences, so a
 * literal containing a double quote cannot be written; that is a programming error here.
 */
export function lit(text: string): string {
  if (text.includes('"')) throw new Error(`A Make string literal cannot contain '"': ${text}`);
  return `"${text}"`;
}

/**
 * Makes arbitrary text safe to paste between the quotes of a JSON string in an HTTP body: control
 * characters, `"` and `\` become spaces. Make's JSON-string body is sent as typed, so an invitee
 * called `Jane "JJ" Doe` would otherwise break the request. The class uses hex escapes so the
 * formula itself contains no quote or backslash literal that Make's parser could misread.
 */
export function jsonSafe(expr: string): string {
  return `replace(${expr}; /[\\x00-\\x1F\\x22\\x5C]/g; " ")`;
}

/** Calendly API v2 timestamps: `2026-03-10T14:00:00.000000Z` (six fractional digits, UTC). */
export const CALENDLY_TIME_FORMAT = 'YYYY-MM-DDTHH:mm:ss.SSSSSSZ';
