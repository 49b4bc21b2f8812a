/** Types for the style-check script (plain JavaScript, so CI runs it with no build step). */
export interface StyleRule {
  id: string;
  what: string;
  check(definition: unknown): string[];
}
export const RULES: StyleRule[];
export function checkStyle(definition: unknown): string[];
