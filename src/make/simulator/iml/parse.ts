// Reads the inside of one `{{…}}`: Make's formula language (IML) as its help pages show it —
// functions with `;`-separated arguments, module outputs as `12.data.id` (odd names in
// backticks), "text" and /regex/flags literals, keywords, and the operators + - * / % = != < > <= >=.
// Text literals have no escape sequences in Make, so none are read here.

import { ImlSyntaxError, MakeUnsupportedError } from '../errors';

export type ImlExpr =
  | { kind: 'literal'; value: string | number }
  | { kind: 'regex'; value: RegExp }
  | { kind: 'ref'; module: number; path: string[] }
  | { kind: 'keyword'; name: string }
  | { kind: 'call'; name: string; args: ImlExpr[] }
  | { kind: 'binary'; op: BinaryOperator; left: ImlExpr; right: ImlExpr }
  | { kind: 'negate'; operand: ImlExpr };

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '=' | '!=' | '<' | '>' | '<=' | '>=';

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'regex'; value: RegExp }
  | { kind: 'ref'; module: number; path: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'op'; value: string };

const COMPARISONS: readonly string[] = ['=', '!=', '<>', '<', '>', '<=', '>='];
const LOGICAL: ReadonlySet<string> = new Set(['and', 'or', 'not']);

export function parseIml(source: string): ImlExpr {
  const parser = new Parser(tokenize(source), source);
  return parser.all();
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let rest = source;
  // A slash starts a regex only where a value is expected (after "(" or ";"), else it divides.
  const valueExpected = (): boolean => {
    const last = tokens[tokens.length - 1];
    return last === undefined || (last.kind === 'op' && (last.value === '(' || last.value === ';'));
  };
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(rest);
    if (m !== null) rest = rest.slice(m[0].length);
    return m;
  };
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if (take(/^\s+/) !== null) continue;
    if ((m = take(/^(\d+)((?:\.(?:[A-Za-z_$][\w$]*|`[^`]+`))+)/)) !== null) {
      const path = [...(m[2] ?? '').matchAll(/\.(?:([A-Za-z_$][\w$]*)|`([^`]+)`)/g)].map(
        (segment) => segment[1] ?? segment[2] ?? '',
      );
      tokens.push({ kind: 'ref', module: Number(m[1]), path });
    } else if ((m = take(/^\d+(?:\.\d+)?/)) !== null) {
      tokens.push({ kind: 'num', value: Number(m[0]) });
    } else if ((m = take(/^"([^"]*)"/)) !== null) {
      tokens.push({ kind: 'str', value: m[1] ?? '' });
    } else if (valueExpected() && (m = take(/^\/((?:\\.|[^/\\])+)\/([gimsu]*)/)) !== null) {
      tokens.push({ kind: 'regex', value: new RegExp(m[1] ?? '', m[2]) });
    } else if ((m = take(/^[A-Za-z_]\w*/)) !== null) {
      tokens.push({ kind: 'ident', name: m[0] });
    } else if ((m = take(/^(!=|<>|<=|>=|[-+*/%()=<>;])/)) !== null) {
      tokens.push({ kind: 'op', value: m[0] });
    } else {
      throw new ImlSyntaxError(`Cannot read the formula {{${source}}} at "${rest.slice(0, 20)}".`);
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  all(): ImlExpr {
    const expr = this.comparison();
    if (this.pos !== this.tokens.length) this.fail('unexpected text after the expression');
    return expr;
  }

  private fail(why: string): never {
    // Logical operators stop the parse where an operator was expected: name them, do not guess.
    const t = this.tokens[this.pos];
    if (t?.kind === 'ident' && LOGICAL.has(t.name)) {
      throw new MakeUnsupportedError([`IML operator "${t.name}"`]);
    }
    throw new ImlSyntaxError(`Cannot read the formula {{${this.source}}}: ${why}.`);
  }

  private peekOp(ops: readonly string[]): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' && ops.includes(t.value) ? t.value : undefined;
  }

  private expectOp(op: string): void {
    if (this.peekOp([op]) === undefined) this.fail(`expected "${op}"`);
    this.pos++;
  }

  private comparison(): ImlExpr {
    const left = this.additive();
    const op = this.peekOp(COMPARISONS);
    if (op === undefined) return left;
    this.pos++;
    const right = this.additive();
    return { kind: 'binary', op: op === '<>' ? '!=' : (op as BinaryOperator), left, right };
  }

  private additive(): ImlExpr {
    let expr = this.multiplicative();
    for (let op = this.peekOp(['+', '-']); op !== undefined; op = this.peekOp(['+', '-'])) {
      this.pos++;
      expr = { kind: 'binary', op: op as BinaryOperator, left: expr, right: this.multiplicative() };
    }
    return expr;
  }

  private multiplicative(): ImlExpr {
    let expr = this.unary();
    for (
      let op = this.peekOp(['*', '/', '%']);
      op !== undefined;
      op = this.peekOp(['*', '/', '%'])
    ) {
      this.pos++;
      expr = { kind: 'binary', op: op as BinaryOperator, left: expr, right: this.unary() };
    }
    return expr;
  }

  private unary(): ImlExpr {
    if (this.peekOp(['-']) !== undefined) {
      this.pos++;
      return { kind: 'negate', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): ImlExpr {
    const t = this.tokens[this.pos++];
    if (t === undefined) return this.fail('it ends too early');
    switch (t.kind) {
      case 'num':
      case 'str':
        return { kind: 'literal', value: t.value };
      case 'regex':
        return { kind: 'regex', value: t.value };
      case 'ref':
        return { kind: 'ref', module: t.module, path: t.path };
      case 'op': {
        if (t.value !== '(') return this.fail(`unexpected "${t.value}"`);
        const inner = this.comparison();
        this.expectOp(')');
        return inner;
      }
      case 'ident': {
        if (this.peekOp(['(']) === undefined) {
          if (LOGICAL.has(t.name)) throw new MakeUnsupportedError([`IML operator "${t.name}"`]);
          return { kind: 'keyword', name: t.name };
        }
        this.pos++;
        const args: ImlExpr[] = [];
        if (this.peekOp([')']) === undefined) {
          args.push(this.comparison());
          while (this.peekOp([';']) !== undefined) {
            this.pos++;
            args.push(this.comparison());
          }
        }
        this.expectOp(')');
        return { kind: 'call', name: t.name, args };
      }
    }
  }
}

/** Function and keyword names an expression uses, for the simulator's up-front refusal check. */
export function namesIn(expr: ImlExpr): { functions: string[]; keywords: string[] } {
  const functions: string[] = [];
  const keywords: string[] = [];
  const visit = (e: ImlExpr): void => {
    if (e.kind === 'call') {
      functions.push(e.name);
      e.args.forEach(visit);
    } else if (e.kind === 'keyword') keywords.push(e.name);
    else if (e.kind === 'binary') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'negate') visit(e.operand);
  };
  visit(expr);
  return { functions, keywords };
}
