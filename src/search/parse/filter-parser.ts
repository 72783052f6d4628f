/**
 * `_filter` (the subset the ROR IG uses): comparisons `path op value`, `and`, `or`, `not`,
 * parentheses. Paths may be chained (`organization.type`) and carry a modifier (`:above`).
 */
import { SearchInputError } from './values.ts';

export type FilterOp = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap' | 'co' | 'sw' | 'ew' | 'pr';

export type FilterExpr =
  | { kind: 'cmp'; path: string; op: FilterOp; value: string }
  | { kind: 'and' | 'or'; items: FilterExpr[] }
  | { kind: 'not'; item: FilterExpr };

const OPS = new Set<FilterOp>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap', 'co', 'sw', 'ew', 'pr']);

type Tok = { t: '(' | ')' } | { t: 'word'; v: string } | { t: 'str'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c }); i++; continue; }
    if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        v += src[i++];
      }
      if (i >= src.length) throw bad('guillemet non fermé', 'unterminated quoted string');
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    let v = '';
    while (i < src.length && !/[\s()]/.test(src[i])) v += src[i++];
    out.push({ t: 'word', v });
  }
  return out;
}

function bad(fr: string, en: string): SearchInputError {
  return new SearchInputError('_filter', `Paramètre _filter invalide : ${fr}`, `Invalid _filter parameter: ${en}`);
}

export function parseFilter(src: string): FilterExpr {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isWord = (w: string) => {
    const t = peek();
    return t?.t === 'word' && t.v.toLowerCase() === w;
  };

  function parseOr(): FilterExpr {
    const items = [parseAnd()];
    while (isWord('or')) { pos++; items.push(parseAnd()); }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }
  function parseAnd(): FilterExpr {
    const items = [parseUnary()];
    while (isWord('and')) { pos++; items.push(parseUnary()); }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }
  function parseUnary(): FilterExpr {
    const t = peek();
    if (!t) throw bad('expression incomplète', 'incomplete expression');
    if (t.t === 'word' && t.v.toLowerCase() === 'not' && toks[pos + 1]?.t === '(') {
      pos++;
      return { kind: 'not', item: parseParen() };
    }
    if (t.t === '(') return parseParen();
    if (t.t !== 'word') throw bad(`« ${t.t === 'str' ? t.v : t.t} » inattendu`, `unexpected "${t.t === 'str' ? t.v : t.t}"`);
    pos++;
    const op = peek();
    if (op?.t !== 'word' || !OPS.has(op.v.toLowerCase() as FilterOp)) {
      throw bad(`opérateur attendu après « ${t.v} »`, `operator expected after "${t.v}"`);
    }
    pos++;
    const v = peek();
    if (!v || (v.t !== 'word' && v.t !== 'str')) throw bad(`valeur attendue après « ${t.v} ${op.v} »`, `value expected after "${t.v} ${op.v}"`);
    pos++;
    return { kind: 'cmp', path: t.v, op: op.v.toLowerCase() as FilterOp, value: v.v };
  }
  function parseParen(): FilterExpr {
    if (peek()?.t !== '(') throw bad('« ( » attendue', '"(" expected');
    pos++;
    const e = parseOr();
    if (peek()?.t !== ')') throw bad('parenthèses non équilibrées', 'unbalanced parentheses');
    pos++;
    return e;
  }

  const e = parseOr();
  if (pos < toks.length) {
    const t = toks[pos];
    throw bad(t.t === ')' ? 'parenthèses non équilibrées' : 'texte en trop en fin d\'expression', t.t === ')' ? 'unbalanced parentheses' : 'trailing text');
  }
  return e;
}
