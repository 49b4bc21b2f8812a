/** A table entry by name, never one inherited from Object (a formula calling "constructor"). */
export function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
