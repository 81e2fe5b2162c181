/**
 * The differential runner's XML comparison for tests that pin a captured MapProxy document: the
 * facts (texts and attributes by path) only one side has.
 */
import { xmlFacts } from '../differential/compare.js';

/** The facts only MapProxy's document has (`- fact`) and only ours (`+ fact`), counted. */
export function xmlFactDifferences(theirs: string, ours: string): string[] {
  const a = xmlFacts(theirs);
  const b = xmlFacts(ours);
  const only = (x: Map<string, number>, y: Map<string, number>, sign: string): string[] =>
    [...x].filter(([fact, n]) => (y.get(fact) ?? 0) < n).map(([fact]) => `${sign} ${fact}`);
  return [...only(a, b, '-'), ...only(b, a, '+')];
}
