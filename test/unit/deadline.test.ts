import { deadlineIn, httpWithinDeadline, MIN_REQUEST_BUDGET_MS } from '../../src/deadline';
import { HttpTransportError, type HttpClient, type HttpRequest } from '../../src/http';

/** A clock the test moves by hand, and an HTTP client that records what it was asked. */
function setUp(budgetMs: number) {
  let clock = 1_000_000;
  const sent: HttpRequest[] = [];
  const http: HttpClient = async (request) => {
    sent.push(request);
    return { status: 204, headers: {}, body: '' };
  };
  const deadline = deadlineIn(budgetMs, () => clock);
  return {
    http: httpWithinDeadline(http, deadline),
    sent,
    advance: (ms: number) => (clock += ms),
  };
}

const GET = { method: 'GET', url: 'https://api.example.test/thing?token=secret' } as const;

describe('httpWithinDeadline', () => {
  it("cuts a request's own timeout to what is left of the budget", async () => {
    const { http, sent, advance } = setUp(25_000);
    advance(20_000);

    await http({ ...GET, timeoutMs: 10_000 });

    expect(sent[0]?.timeoutMs).toBe(5_000);
  });

  it('keeps a timeout shorter than what is left', async () => {
    const { http, sent } = setUp(25_000);

    await http({ ...GET, timeoutMs: 3_000 });

    expect(sent[0]?.timeoutMs).toBe(3_000);
  });

  it('gives a request without a timeout the rest of the budget', async () => {
    const { http, sent, advance } = setUp(25_000);
    advance(1_000);

    await http(GET);

    expect(sent[0]?.timeoutMs).toBe(24_000);
  });

  it('sends nothing once too little is left, failing as a timeout without the query', async () => {
    const { http, sent, advance } = setUp(25_000);
    advance(25_000 - MIN_REQUEST_BUDGET_MS + 1);

    const error = await http(GET).catch((e: unknown) => e);

    expect(sent).toEqual([]);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ timedOut: true });
    expect((error as Error).message).toBe(
      'GET https://api.example.test/thing was not sent: the time budget for this step is used up',
    );
  });
});
