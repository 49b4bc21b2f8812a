import { InvalidPayloadError, WebhookVerificationError } from '../../src/calendly/errors';
import { readDelivery } from '../../src/delivery';
import { FUZZ_KEY, FUZZ_NOW, fuzzCases } from '../support/fuzz-cases';

// Every transport trusts a delivery only through readDelivery, so its contract under hostile
// input is the security boundary: anything not validly signed fails verification before a byte of
// it is parsed, and a signed but broken body fails with InvalidPayloadError, never anything else.
const CASES = Number(process.env.FUZZ_CASES ?? 5000);

describe('readDelivery under random and mutated input', () => {
  const cases = fuzzCases(7, CASES);

  it(`never lets an unsigned, forged or stale delivery through (${CASES} cases)`, () => {
    const leaks = cases
      .filter((c) => !c.validlySigned)
      .filter((c) => {
        try {
          readDelivery({
            rawBody: c.rawBody,
            headers: c.headers,
            signingKeys: FUZZ_KEY,
            now: FUZZ_NOW,
          });
          return true;
        } catch (error) {
          return !(error instanceof WebhookVerificationError);
        }
      })
      .map((c) => c.label);
    expect(leaks).toEqual([]);
  });

  it('answers every signed body with an event, an ignored type or InvalidPayloadError', () => {
    const signed = cases.filter((c) => c.validlySigned);
    const unexpected: string[] = [];
    let events = 0;
    for (const c of signed) {
      try {
        const read = readDelivery({
          rawBody: c.rawBody,
          headers: c.headers,
          signingKeys: FUZZ_KEY,
          now: FUZZ_NOW,
        });
        if (read.type === 'event') events++;
      } catch (error) {
        if (!(error instanceof InvalidPayloadError))
          unexpected.push(`${c.label}: ${String(error)}`);
      }
    }
    expect(unexpected).toEqual([]);
    // The generator must keep producing parseable events too, or this test proves little.
    expect(events).toBeGreaterThan(signed.length / 20);
    expect(signed.length).toBeGreaterThan(CASES / 5);
  });
});
