import { readFileSync } from 'node:fs';

/**
 * This process's soft limit on open files (`ulimit -n`), or null where Linux's /proc does not say.
 * Node has no getrlimit; the receiver only uses it to warn about a connection cap above it.
 */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | null {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    // Not Linux, or /proc not mounted: nothing to compare against.
    return null;
  }
  const soft = /^Max open files\s+(\d+|unlimited)\s/m.exec(text)?.[1];
  if (soft === undefined || soft === 'unlimited') return null;
  return Number(soft);
}
