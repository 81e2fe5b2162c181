/**
 * A safe evaluator for the arithmetic `mapproxy-util scales --eval` accepts (Python `eval` of
 * `360/256`, `2**10`, `(1+2)*3`): numbers, + - * / // % **, unary signs and parentheses only.
 */
import { ToolsError } from './errors.js';

type Token = { readonly kind: 'num'; readonly value: number } | { readonly kind: 'op'; readonly op: string };

const TOKEN =
  /\s*(?:(\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)|(\*\*|\/\/|[-+*/%()]))/y;

/** Evaluates `expression` with Python's operator precedence. Throws `ToolsError` on anything else. */
export function evalPyArithmetic(expression: string): number {
  const tokens = tokenize(expression);
  let pos = 0;
  const fail = (): never => {
    throw new ToolsError(`cannot evaluate ${JSON.stringify(expression)}`, 'TOOLS_INVALID_VALUE');
  };
  const peek = (): string | undefined => {
    const token = tokens[pos];
    return token?.kind === 'op' ? token.op : undefined;
  };
  // Python grammar: sum -> term (('+'|'-') term)*; term -> factor (('*'|'/'|'//'|'%') factor)*;
  // factor -> ('+'|'-') factor | power; power -> atom ['**' factor]
  const sum = (): number => {
    let value = term();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos++;
      value = op === '+' ? value + term() : value - term();
    }
    return value;
  };
  const term = (): number => {
    let value = factor();
    for (let op = peek(); op === '*' || op === '/' || op === '//' || op === '%'; op = peek()) {
      pos++;
      const right = factor();
      if (op !== '*' && right === 0) fail();
      if (op === '*') value *= right;
      else if (op === '/') value /= right;
      else if (op === '//') value = Math.floor(value / right);
      else value = value - right * Math.floor(value / right); // Python's % takes the divisor's sign
    }
    return value;
  };
  const factor = (): number => {
    const op = peek();
    if (op === '+' || op === '-') {
      pos++;
      const value = factor();
      return op === '-' ? -value : value;
    }
    return power();
  };
  const power = (): number => {
    const base = atom();
    if (peek() !== '**') return base;
    pos++;
    return base ** factor();
  };
  const atom = (): number => {
    const token = tokens[pos++];
    if (token?.kind === 'num') return token.value;
    if (token?.kind === 'op' && token.op === '(') {
      const value = sum();
      if (peek() !== ')') fail();
      pos++;
      return value;
    }
    return fail();
  };
  const value = sum();
  if (pos !== tokens.length || !Number.isFinite(value)) fail();
  return value;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let rest = expression.trim();
  while (rest !== '') {
    TOKEN.lastIndex = 0;
    const match = TOKEN.exec(rest);
    if (match === null)
      throw new ToolsError(`cannot evaluate ${JSON.stringify(expression)}`, 'TOOLS_INVALID_VALUE');
    const [text, number, op] = match;
    tokens.push(
      number === undefined
        ? { kind: 'op', op: op ?? '' }
        : { kind: 'num', value: Number(number.replaceAll('_', '')) },
    );
    rest = rest.slice(text.length).trimStart();
  }
  return tokens;
}
