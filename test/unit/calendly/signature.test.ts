import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import {
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../../../src/calendly/errors';
import {
  signCalendlyPayload,
  verifyCalendlySignature,
  type VerifyCalendlySignatureInput,
} from '../../../src/calendly/signature';
import vector from '../../fixtures/calendly/signature-test-vector.json';

const KEY = vector.signing_key;
const T = Number(vector.t);
const BODY = vector.raw_body;
const VALUE = `t=${vector.t},v1=${vector.expected_v1}`;
/** The vector's own clock: the instant it was signed. */
const NOW = T * 1000;

function verify(overrides: Partial<VerifyCalendlySignatureInput> = {}): { timestamp: number } {
  return verifyCalendlySignature({
    rawBody: BODY,
    header: VALUE,
    signingKeys: KEY,
    now: NOW,
    ...overrides,
  });
}

/** The error a verification throws; fails the test when it passes or throws something else. */
function rejection(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected the verification to fail, but it passed');
}

function expectReason(run: () => unknown, reason: WebhookVerificationReason): void {
  expect(rejection(run).reason).toBe(reason);
}

function hexHmac(key: string, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

/** A header whose v1 is right for `body` at time `t` under `key`. */
function signed(body: string | Buffer, t: number, key = KEY): string {
  return `t=${t},v1=${hexHmac(key, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(body)]))}`;
}

describe('verifyCalendlySignature', () => {
  describe('the worked vector', () => {
    it('verifies with the whole header line "Calendly-Webhook-Signature: t=…,v1=…"', () => {
      expect(vector.header.startsWith('Calendly-Webhook-Signature: ')).toBe(true);
      expect(verify({ header: vector.header })).toEqual({ timestamp: T });
    });

    it('verifies with the bare header value', () => {
      expect(verify({ header: VALUE })).toEqual({ timestamp: T });
    });

    it.each([
      'Calendly-Webhook-Signature',
      'calendly-webhook-signature',
      'CALENDLY-WEBHOOK-SIGNATURE',
      'Http-Calendly-Webhook-Signature',
      'HTTP-CALENDLY-WEBHOOK-SIGNATURE',
    ])('verifies when found in a headers object as %s', (name) => {
      const headers = { 'Content-Type': 'application/json', [name]: VALUE };
      expect(verify({ header: headers })).toEqual({ timestamp: T });
    });

    it('verifies when the headers object holds the value as an array (node:http style)', () => {
      expect(verify({ header: { 'calendly-webhook-signature': [VALUE] } })).toEqual({
        timestamp: T,
      });
    });

    it('rejects the guide\'s "v1:"-prefixed digest with signature_mismatch', () => {
      // The implementation guide's recipe, HMAC("v1:" + t + "." + body), really yields this digest…
      expect(hexHmac(KEY, `v1:${vector.t}.${BODY}`)).toBe(vector.WRONG_v1_if_you_prefix_v1_colon);
      // …and Calendly's header never carries it.
      expectReason(
        () => verify({ header: `t=${vector.t},v1=${vector.WRONG_v1_if_you_prefix_v1_colon}` }),
        'signature_mismatch',
      );
    });
  });

  describe('missing_header', () => {
    it.each<[string, VerifyCalendlySignatureInput['header']]>([
      ['undefined', undefined],
      ['null', null],
      ['an empty string', ''],
      ['only spaces', '   '],
      ['a headers object without it', { 'content-type': 'application/json' }],
      ['a headers object holding undefined for it', { 'calendly-webhook-signature': undefined }],
      ['a headers object holding an empty string for it', { 'Calendly-Webhook-Signature': '' }],
    ])('when the header is %s', (_label, header) => {
      expectReason(() => verify({ header }), 'missing_header');
    });
  });

  describe('malformed_header', () => {
    it.each([
      ['there is no t=', `v1=${vector.expected_v1}`],
      ['t is not a number', `t=yesterday,v1=${vector.expected_v1}`],
      ['t has a fraction', `t=${T}.5,v1=${vector.expected_v1}`],
      ['t is negative', `t=-${T},v1=${vector.expected_v1}`],
      ['there is no v1=', `t=${T}`],
      ['only another scheme is present', `t=${T},v0=${vector.expected_v1}`],
      ['v1 is not hex', `t=${T},v1=${'z'.repeat(64)}`],
      ['v1 is hex of the wrong length', `t=${T},v1=${vector.expected_v1.slice(0, 62)}`],
      [
        'v1 is base64 instead of hex',
        `t=${T},v1=${Buffer.from(vector.expected_v1, 'hex').toString('base64')}`,
      ],
    ])('when %s', (_label, header) => {
      expectReason(() => verify({ header }), 'malformed_header');
    });
  });

  it('rejects with timestamp_too_old when t is older than the tolerance', () => {
    expectReason(() => verify({ now: NOW + 3600_000 }), 'timestamp_too_old');
  });

  it('rejects with timestamp_in_future when t is further ahead than the tolerance', () => {
    expectReason(() => verify({ now: NOW - 3600_000 }), 'timestamp_in_future');
  });

  it('rejects with signature_mismatch when the digest was made with another key', () => {
    expectReason(() => verify({ header: signed(BODY, T, 'some-other-key') }), 'signature_mismatch');
  });

  it('rejects with signature_mismatch when t was altered (the digest covers t)', () => {
    expectReason(
      () => verify({ header: `t=${T + 1},v1=${vector.expected_v1}` }),
      'signature_mismatch',
    );
  });

  describe.each([
    { label: 'the default 300 s', tolerance: undefined, seconds: 300 },
    { label: 'a custom 180 s', tolerance: 180, seconds: 180 },
  ])('tolerance window of $label', ({ tolerance, seconds }) => {
    const at = (offsetSeconds: number) => () =>
      verify({ now: NOW + offsetSeconds * 1000, toleranceSeconds: tolerance });

    it('accepts a timestamp exactly the tolerance in the past', () => {
      expect(at(seconds)()).toEqual({ timestamp: T });
    });

    it('accepts a timestamp exactly the tolerance in the future', () => {
      expect(at(-seconds)()).toEqual({ timestamp: T });
    });

    it('rejects a timestamp one second older than the tolerance', () => {
      expectReason(at(seconds + 1), 'timestamp_too_old');
    });

    it('rejects a timestamp one second further ahead than the tolerance', () => {
      expectReason(at(-(seconds + 1)), 'timestamp_in_future');
    });
  });

  it('accepts `now` as a Date as well as milliseconds', () => {
    expect(verify({ now: new Date(NOW + 299_000) })).toEqual({ timestamp: T });
    expectReason(() => verify({ now: new Date(NOW + 301_000) }), 'timestamp_too_old');
  });

  describe('key rotation', () => {
    it('verifies when the second of several keys signed the body', () => {
      expect(verify({ signingKeys: ['the-new-key', KEY] })).toEqual({ timestamp: T });
    });

    it('verifies with a comma-separated string of keys (CALENDLY_SIGNING_KEY)', () => {
      expect(verify({ signingKeys: `the-new-key, ${KEY} ` })).toEqual({ timestamp: T });
    });

    it('rejects with signature_mismatch when none of the keys signed the body', () => {
      expectReason(
        () => verify({ signingKeys: ['the-new-key', 'an-old-key'] }),
        'signature_mismatch',
      );
    });
  });

  describe('several v1= entries', () => {
    const wrong = hexHmac('some-other-key', `${T}.${BODY}`);

    it('verifies when a later entry matches', () => {
      expect(verify({ header: `t=${T},v1=${wrong},v1=${vector.expected_v1}` })).toEqual({
        timestamp: T,
      });
    });

    it('verifies when an earlier entry matches', () => {
      expect(verify({ header: `t=${T},v1=${vector.expected_v1},v1=${wrong}` })).toEqual({
        timestamp: T,
      });
    });

    it('rejects with signature_mismatch when no entry matches', () => {
      expectReason(
        () => verify({ header: `t=${T},v1=${wrong},v1=${wrong}` }),
        'signature_mismatch',
      );
    });
  });

  it('tolerates spaces around entries, names and values', () => {
    const header = `  t = ${T} ,  v1= ${vector.expected_v1}  `;
    expect(verify({ header })).toEqual({ timestamp: T });
    expect(verify({ header: `Calendly-Webhook-Signature:${header}` })).toEqual({ timestamp: T });
  });

  it('accepts the v1 digest in upper case', () => {
    expect(verify({ header: `t=${T},v1=${vector.expected_v1.toUpperCase()}` })).toEqual({
      timestamp: T,
    });
  });

  it('rejects with signature_mismatch when the body differs by one byte', () => {
    const tampered = Buffer.from(BODY);
    const at = tampered.indexOf('Jane Doe');
    tampered[at] = 'j'.charCodeAt(0);
    expectReason(() => verify({ rawBody: tampered }), 'signature_mismatch');
    // Truncation and appending are one-byte differences too.
    expectReason(() => verify({ rawBody: BODY.slice(0, -1) }), 'signature_mismatch');
    expectReason(() => verify({ rawBody: `${BODY}\n` }), 'signature_mismatch');
  });

  it('rejects with signature_mismatch when the body was re-serialised (JSON.stringify(JSON.parse(raw)))', () => {
    // The vector's body happens to be in canonical JSON.stringify form, so use a body as another
    // JSON encoder sends it: pretty-printed, with the escapes Rails emits for & < >.
    const raw = readFileSync(
      join(__dirname, '../../fixtures/calendly/invitee.created.json'),
      'utf8',
    ).replace('Onboarding questions', 'Q\\u0026A \\u003cnew\\u003e');
    const header = signed(raw, T);
    expect(verify({ rawBody: raw, header })).toEqual({ timestamp: T });

    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(reserialised).not.toBe(raw);
    expectReason(() => verify({ rawBody: reserialised, header }), 'signature_mismatch');
  });

  it.each([
    ['a string', BODY],
    ['a Buffer', Buffer.from(BODY, 'utf8')],
    ['a Uint8Array', new Uint8Array(Buffer.from(BODY, 'utf8'))],
  ])('verifies a body given as %s', (_label, rawBody) => {
    expect(verify({ rawBody })).toEqual({ timestamp: T });
  });

  it('verifies a body with non-ASCII characters over its UTF-8 bytes', () => {
    const raw = BODY.replace('Jane Doe', 'Zoë Ångström 日本');
    const header = signed(Buffer.from(raw, 'utf8'), T);
    expect(verify({ rawBody: raw, header })).toEqual({ timestamp: T });
    expect(verify({ rawBody: Buffer.from(raw, 'utf8'), header })).toEqual({ timestamp: T });
  });

  it('never parses the body: a non-JSON body with a valid signature verifies', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const raw = 'this is { not JSON';
      expect(verify({ rawBody: raw, header: signed(raw, T) })).toEqual({ timestamp: T });
      expect(verify()).toEqual({ timestamp: T });
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  describe('no signing key configured', () => {
    it.each<[string, string | string[]]>([
      ['an empty string', ''],
      ['only commas and spaces', ' , ,'],
      ['an empty list', []],
      ['a list of blank keys', ['', '  ']],
    ])('throws ConfigError (not a verification failure) for %s', (_label, signingKeys) => {
      const run = () => verify({ signingKeys });
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(/CALENDLY_SIGNING_KEY/);
    });

    it('throws ConfigError even when the header is missing too, so the operator hears of it', () => {
      expect(() => verify({ signingKeys: '', header: undefined })).toThrow(ConfigError);
    });
  });

  it('rejects a negative tolerance as a configuration error', () => {
    expect(() => verify({ toleranceSeconds: -1 })).toThrow(ConfigError);
  });

  it('reports each failure as a WebhookVerificationError with a message', () => {
    const error = rejection(() => verify({ header: undefined }));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WebhookVerificationError');
    expect(error.kind).toBe('webhook_verification');
    expect(error.message).toMatch(/Calendly-Webhook-Signature/);
  });
});

describe('signCalendlyPayload', () => {
  it("reproduces the vector's header value", () => {
    expect(signCalendlyPayload(BODY, KEY, T)).toBe(VALUE);
    expect(`Calendly-Webhook-Signature: ${signCalendlyPayload(BODY, KEY, T)}`).toBe(vector.header);
  });

  it('signs a Buffer body to the same value as its string', () => {
    expect(signCalendlyPayload(Buffer.from(BODY), KEY, T)).toBe(VALUE);
  });

  it('truncates a fractional timestamp to whole seconds', () => {
    expect(signCalendlyPayload(BODY, KEY, T + 0.9)).toBe(VALUE);
  });

  it('produces headers the verifier accepts', () => {
    const raw = '{"event":"invitee.canceled"}';
    const header = signCalendlyPayload(raw, 'k2', T);
    expect(verify({ rawBody: raw, header, signingKeys: ['k1', 'k2'] })).toEqual({ timestamp: T });
  });
});
