import { MakeUnsupportedError } from '../errors';
import { own } from '../own';
import { IML_FUNCTIONS } from './functions';
import { parseIml, type ImlExpr } from './parse';
import { isEmpty, toNumber, toText, valueAt, type ImlValue } from './values';

/** What a formula can see: the outputs of the modules that ran before it, and the clock. */
export interface ImlScope {
  output(moduleId: number): ImlValue;
  now: Date;
}

/** Keywords Make offers in the mapping panel that the simulator models. */
const KEYWORDS: Readonly<Record<string, (scope: ImlScope) => ImlValue>> = {
  now: (scope) => scope.now,
  /** Unix time in seconds. */
  timestamp: (scope) => Math.floor(scope.now.getTime() / 1000),
  true: () => true,
  false: () => false,
  null: () => null,
  emptystring: () => '',
};

export function isModelledKeyword(name: string): boolean {
  return own(KEYWORDS, name) !== undefined;
}

export function isModelledFunction(name: string): boolean {
  return own(IML_FUNCTIONS, name) !== undefined;
}

const parsed = new Map<string, ImlExpr>();

/** Parsed once per distinct formula text: a scenario evaluates the same few formulas many times. */
export function parseCached(source: string): ImlExpr {
  let expr = parsed.get(source);
  if (expr === undefined) {
    expr = parseIml(source);
    parsed.set(source, expr);
  }
  return expr;
}

export function evaluateIml(expr: ImlExpr, scope: ImlScope): ImlValue {
  switch (expr.kind) {
    case 'literal':
    case 'regex':
      return expr.value;
    case 'ref':
      return valueAt(scope.output(expr.module), expr.path);
    case 'keyword': {
      const keyword = own(KEYWORDS, expr.name);
      if (keyword === undefined) throw new MakeUnsupportedError([`IML keyword "${expr.name}"`]);
      return keyword(scope);
    }
    case 'call': {
      const fn = own(IML_FUNCTIONS, expr.name);
      if (fn === undefined) throw new MakeUnsupportedError([`IML function "${expr.name}"`]);
      return fn(expr.args.map((arg) => evaluateIml(arg, scope)));
    }
    case 'negate':
      return -toNumber(evaluateIml(expr.operand, scope));
    case 'binary':
      return binary(expr.op, evaluateIml(expr.left, scope), evaluateIml(expr.right, scope));
  }
}

function binary(op: string, left: ImlValue, right: ImlValue): ImlValue {
  switch (op) {
    case '+':
      // Numbers add; anything else joins as text (the signature base `t + "." + body`).
      return typeof left === 'number' && typeof right === 'number'
        ? left + right
        : toText(left) + toText(right);
    case '-':
      return toNumber(left) - toNumber(right);
    case '*':
      return toNumber(left) * toNumber(right);
    case '/':
      return toNumber(left) / toNumber(right);
    case '%':
      return toNumber(left) % toNumber(right);
    case '=':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<':
      return toNumber(left) < toNumber(right);
    case '>':
      return toNumber(left) > toNumber(right);
    case '<=':
      return toNumber(left) <= toNumber(right);
    default:
      return toNumber(left) >= toNumber(right);
  }
}

function equal(left: ImlValue, right: ImlValue): boolean {
  if (typeof left === 'number' || typeof right === 'number') {
    if (!isEmpty(left) && !isEmpty(right)) return toNumber(left) === toNumber(right);
  }
  return toText(left) === toText(right);
}
