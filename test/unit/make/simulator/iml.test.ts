// The IML functions and operators the simulator models, checked against the examples in Make's
// function reference (make.com/en/help/functions/…: general, string, array, math, date and time).

import { createHmac } from 'node:crypto';
import { MakeUnsupportedError, ImlSyntaxError } from '../../../../src/make/simulator';
import { evaluateField } from '../../../../src/make/simulator/iml/template';
import type { ImlScope } from '../../../../src/make/simulator/iml/evaluate';

const NOW = new Date('2026-03-02T15:04:06.000Z');
const emails = [
  { email: 'a@example.com', label: 'work' },
  { email: 'b@example.com', label: 'home' },
  { email: 'c@example.com', label: 'other' },
];
const scope: ImlScope = {
  now: NOW,
  output: (id) =>
    ({
      1: {
        emails,
        text: 'Hello',
        n: 5,
        date: '2016-12-08T15:55:57.536Z',
        nothing: null,
        odd: { 'x-page': 7 },
      },
    })[id],
};
const iml = (formula: string): unknown => evaluateField(`{{${formula}}}`, scope);

describe('general functions', () => {
  it.each([
    ['get(1.emails; 1 + 1)', emails[1]],
    ['get(get(1.emails; 2); "email")', 'b@example.com'],
    ['if(1 = 1; "A"; "B")', 'A'],
    ['if(1 = 2; "A"; "B")', 'B'],
    ['ifempty("A"; "B")', 'A'],
    ['ifempty(1.unknown; "B")', 'B'],
    ['ifempty(""; "B")', 'B'],
    ['switch("B"; "A"; 1; "B"; 2; "C"; 3)', 2],
    ['switch("C"; "A"; 1; "B"; 2; "C"; 3)', 3],
    ['switch("X"; "A"; 1; "B"; 2; "C"; 3; 4)', 4],
  ])('%s = %j', (formula, expected) => {
    expect(iml(formula)).toEqual(expected);
  });
});

describe('text functions', () => {
  it.each([
    ['substring("Hello"; 0; 3)', 'Hel'],
    ['substring("Hello"; 1; 3)', 'el'],
    ['replace("Hello World"; "Hello"; "Hi")', 'Hi World'],
    ['replace("All these years"; /\\s/g; "")', 'Alltheseyears'],
    ['trim("  test  ")', 'test'],
    ['lower("Hello")', 'hello'],
    ['upper("Hello")', 'HELLO'],
    ['length("hello")', 5],
    ['contains("Hello World"; "Hello")', true],
    ['contains("Hello World"; "Bye")', false],
    ['split("John, George, Paul"; ", ")', ['John', 'George', 'Paul']],
  ])('%s = %j', (formula, expected) => {
    expect(iml(formula)).toEqual(expected);
  });

  it('sha256(text) hashes; sha256(text; "hex"; key) is the HMAC', () => {
    expect(iml('sha256("test")')).toBe(
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    );
    expect(iml('sha256("1.body"; "hex"; "key")')).toBe(
      createHmac('sha256', 'key').update('1.body').digest('hex'),
    );
    expect(iml('sha256("x"; "base64"; "key")')).toBe(
      createHmac('sha256', 'key').update('x').digest('base64'),
    );
  });
});

describe('array functions', () => {
  it.each([
    ['map(1.emails; "email")', ['a@example.com', 'b@example.com', 'c@example.com']],
    ['map(1.emails; "email"; "label"; "work,home")', ['a@example.com', 'b@example.com']],
    ['first(map(1.emails; "email"))', 'a@example.com'],
    ['last(map(1.emails; "email"))', 'c@example.com'],
    ['length(1.emails)', 3],
    ['contains(map(1.emails; "label"); "home")', true],
  ])('%s = %j', (formula, expected) => {
    expect(iml(formula)).toEqual(expected);
  });
});

describe('math functions and operators', () => {
  it.each([
    ['round(2.5)', 3],
    ['floor(2.5)', 2],
    ['ceil(2.1)', 3],
    ['max(1; 5; 3)', 5],
    ['min(1; 5; 3)', 1],
    ['1.n * 2 + 1', 11],
    ['10 / 4', 2.5],
    ['10 % 4', 2],
    ['-1.n', -5],
    ['1.n >= 5', true],
    ['1.n <> 5', false],
  ])('%s = %j', (formula, expected) => {
    expect(iml(formula)).toEqual(expected);
  });

  it('+ adds numbers and joins anything else as text', () => {
    expect(iml('1 + 2')).toBe(3);
    expect(iml('"1" + "." + 1.text')).toBe('1.Hello');
    expect(iml('1.n + "x"')).toBe('5x');
  });
});

describe('date and time functions', () => {
  it.each([
    ['addMinutes(1.date; 2)', new Date('2016-12-08T15:57:57.536Z')],
    ['addMinutes(1.date; -2)', new Date('2016-12-08T15:53:57.536Z')],
    ['addSeconds(1.date; 1)', new Date('2016-12-08T15:55:58.536Z')],
    ['addDays(1.date; 1)', new Date('2016-12-09T15:55:57.536Z')],
    ['formatDate(1.date; "YYYY-MM-DD HH:mm"; "UTC")', '2016-12-08 15:55'],
    ['formatDate(1.date; "MM/DD/YYYY")', '12/08/2016'],
    ['formatDate(1.date; "X")', '1481212557'],
    ['formatDate(1.date; "hh:mm A [UTC]")', '03:55 PM UTC'],
    ['parseDate("2016-12-28"; "YYYY-MM-DD")', new Date('2016-12-28T00:00:00.000Z')],
    ['parseDate("1482940800"; "X")', new Date('2016-12-28T16:00:00.000Z')],
    [
      'parseDate("2026-03-10T14:00:00.000000Z"; "YYYY-MM-DDTHH:mm:ss.SSSSSSZ")',
      new Date('2026-03-10T14:00:00.000Z'),
    ],
    [
      'parseDate("2026-03-10T16:00:00+02:00"; "YYYY-MM-DDTHH:mm:ssZ")',
      new Date('2026-03-10T14:00:00.000Z'),
    ],
    ['parseDate("not a date"; "YYYY-MM-DD")', undefined],
  ])('%s = %j', (formula, expected) => {
    expect(iml(formula)).toEqual(expected);
  });

  it('now is the clock, timestamp its Unix seconds', () => {
    expect(iml('now')).toEqual(NOW);
    expect(iml('timestamp')).toBe(Math.floor(NOW.getTime() / 1000));
  });

  it('refuses a timezone it does not model, by name', () => {
    expect(() => iml('formatDate(1.date; "HH"; "Europe/Prague")')).toThrow(
      new MakeUnsupportedError(['timezone "Europe/Prague" (only UTC is modelled)']),
    );
  });
});

describe('text fields', () => {
  it('keep the type of a lone formula, and print formulas into any other text', () => {
    expect(evaluateField('{{1.n}}', scope)).toBe(5);
    expect(evaluateField('n={{1.n}}, {{1.text}}', scope)).toBe('n=5, Hello');
    expect(evaluateField('{{1.date}}', scope)).toBe('2016-12-08T15:55:57.536Z');
    expect(evaluateField('[{{map(1.emails; "label")}}]', scope)).toBe('[work, home, other]');
    expect(evaluateField('{{1.nothing}}|', scope)).toBe('|');
  });

  it('read odd field names in backticks', () => {
    expect(evaluateField('{{1.odd.`x-page`}}', scope)).toBe(7);
  });

  it('refuse what they cannot read, and names they do not model, by name', () => {
    expect(() => iml('get(1.emails; ')).toThrow(ImlSyntaxError);
    expect(() => iml('md5("x")')).toThrow(new MakeUnsupportedError(['IML function "md5"']));
    expect(() => iml('constructor("x")')).toThrow(
      new MakeUnsupportedError(['IML function "constructor"']),
    );
    expect(() => iml('1.n and 1.n')).toThrow(MakeUnsupportedError);
    expect(() => iml('pi')).toThrow(new MakeUnsupportedError(['IML keyword "pi"']));
  });
});
