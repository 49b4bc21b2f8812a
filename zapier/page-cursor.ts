/** Where a dropdown keeps the next page's token between "Load more" clicks (Zapier's z.cursor). */
export interface PageCursor {
  get(): Promise<unknown>;
  set(value: string): Promise<unknown>;
}

/**
 * One page of a list that Zoom pages by token while Zapier asks by page number: page 0 starts
 * afresh; each page stores the token of the next, and an empty token means there is no more.
 */
export async function pageOf<T>(
  cursor: PageCursor,
  page: number,
  fetchPage: (
    pageToken: string | undefined,
  ) => Promise<{ items: T[]; nextPageToken: string | null }>,
): Promise<T[]> {
  let pageToken: string | undefined;
  if (page > 0) {
    const stored = await cursor.get();
    // A page after the last one, or a cursor that expired (Zapier keeps it about an hour).
    if (typeof stored !== 'string' || stored === '') return [];
    pageToken = stored;
  }
  const { items, nextPageToken } = await fetchPage(pageToken);
  await cursor.set(nextPageToken ?? '');
  return items;
}

/** Dropdown pages are small, so the first one shows quickly. */
export const DROPDOWN_PAGE_SIZE = 100;
