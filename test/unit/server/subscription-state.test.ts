import type { CalendlyClient, CalendlyUser } from '../../../src/calendly/client';
import { createSubscriptionWatch } from '../../../src/server/status/subscription-state';

/** A Calendly whose answers the test releases by hand, counting the questions. */
function slowCalendly() {
  const waiting: (() => void)[] = [];
  let asked = 0;
  const client = {
    getCurrentUser: () => {
      asked += 1;
      return new Promise<CalendlyUser>((resolve) =>
        waiting.push(() =>
          resolve({ uri: 'u', name: 'n', email: 'e', organization: 'org', timezone: null }),
        ),
      );
    },
    listWebhookSubscriptions: async () => [],
  } as unknown as CalendlyClient;
  return {
    client,
    asked: () => asked,
    answer: () => waiting.splice(0).forEach((go) => go()),
  };
}

/** Timers the test fires: the wait for Calendly ends when the test says so. */
function manualTimers() {
  const due: (() => void)[] = [];
  return {
    startTimer: (_ms: number, fire: () => void) => {
      due.push(fire);
      return () => {
        if (due.includes(fire)) due.splice(due.indexOf(fire), 1);
      };
    },
    fireAll: () => due.splice(0).forEach((fire) => fire()),
  };
}

/** The page's watch over a slow Calendly, with the clock and timers in the test's hands. */
function watching() {
  const calendly = slowCalendly();
  const timers = manualTimers();
  const clock = { now: 0 };
  const watch = createSubscriptionWatch({
    calendly: calendly.client,
    notConfigured: '',
    now: () => clock.now,
    startTimer: timers.startTimer,
  });
  return { calendly, timers, clock, watch };
}

describe('the Calendly subscription on the status page', () => {
  it('a slow Calendly costs the page only the wait; its late answer serves the next page', async () => {
    const { calendly, timers, clock, watch } = watching();

    const first = watch.current();
    timers.fireAll();
    expect(await first).toEqual({ kind: 'waiting', waitMs: 2000 });

    calendly.answer();
    await new Promise((resolve) => setImmediate(resolve));
    clock.now = 30_000;
    expect(await watch.current()).toMatchObject({ kind: 'listed', subscriptions: [] });
    expect(calendly.asked()).toBe(1);
  });

  it('asks Calendly once for any number of pages at a time, and again only after a minute', async () => {
    const { calendly, clock, watch } = watching();

    const pages = [watch.current(), watch.current(), watch.current()];
    calendly.answer();
    expect((await Promise.all(pages)).map((s) => s.kind)).toEqual(['listed', 'listed', 'listed']);
    expect(calendly.asked()).toBe(1);

    clock.now = 59_999;
    await watch.current();
    expect(calendly.asked()).toBe(1);
    clock.now = 60_000;
    const again = watch.current();
    calendly.answer();
    await again;
    expect(calendly.asked()).toBe(2);
  });
});
