import { pageOf, type PageCursor } from '../../zapier/page-cursor';

/** z.cursor as Zapier keeps it: one value per Zap, overwritten by each page. */
function cursor(): PageCursor & { value: unknown } {
  const store = {
    value: null as unknown,
    get: async () => store.value,
    set: async (value: string) => {
      store.value = value;
      return null;
    },
  };
  return store;
}

/** A Zoom list of three pages, by token. */
const pages: Record<string, { items: string[]; nextPageToken: string | null }> = {
  first: { items: ['a', 'b'], nextPageToken: 't2' },
  t2: { items: ['c', 'd'], nextPageToken: 't3' },
  t3: { items: ['e'], nextPageToken: null },
};
const fetchPage = async (token: string | undefined) => {
  const page = pages[token ?? 'first'];
  if (page === undefined) throw new Error(`no page ${token}`);
  return page;
};

describe('pageOf (dropdowns that load more)', () => {
  it('walks a token-paged list page by page as Zapier asks for page 0, 1, 2, …', async () => {
    const z = cursor();

    const seen = [
      await pageOf(z, 0, fetchPage),
      await pageOf(z, 1, fetchPage),
      await pageOf(z, 2, fetchPage),
      await pageOf(z, 3, fetchPage),
    ];

    expect(seen).toEqual([['a', 'b'], ['c', 'd'], ['e'], []]);
  });

  it('starts afresh on page 0, whatever an earlier listing left behind', async () => {
    const z = cursor();
    z.value = 't3';

    expect(await pageOf(z, 0, fetchPage)).toEqual(['a', 'b']);
  });

  it('returns nothing for a later page once the cursor has expired', async () => {
    expect(await pageOf(cursor(), 4, fetchPage)).toEqual([]);
  });
});
