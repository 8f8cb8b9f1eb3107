// The user's text on the command line, both ways: values echoed in messages
// (a cell may be megabytes long, or hold terminal escapes: shown quoted,
// escaped and clipped), and numbers read from arguments (decimal only:
// Number() would take 0x10, 0b1, Infinity and "" as numbers).

/** Characters of a value a message shows before it clips it with "…". */
export const SHOWN_CHARS = 40;

/**
 * What JSON.stringify leaves as it is but a terminal acts on or reorders: C1
 * controls (U+009B is a one-character CSI in UTF-8 xterms), bidi marks,
 * embeddings, overrides and isolates ("Trojan Source"), line separators.
 */
const INVISIBLE = /[\u0080-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value as messages quote it: JSON-escaped, at most SHOWN_CHARS characters, then "…". */
export function shown(value: unknown): string {
  const text = String(value);
  const json = JSON.stringify(text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);
  return json.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Values as a message lists them: each shown, at most `max` of them, then how many there are in all. */
export function shownList(values: readonly unknown[], max = 10): string {
  const list = values.slice(0, max).map(shown).join(', ');
  return values.length > max ? `${list}… (${values.length} in all)` : list;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** For a refused argument: a hint when it is a number written otherwise than in decimal (0x10), which is why it was refused. */
export function decimalHint(text: string): string {
  return Number.isFinite(Number(text)) && text.trim() !== '' && Number.isNaN(decimal(text)) ? ' (numbers are read in decimal only)' : '';
}

/** A decimal number written as such (1, -2.5, 1e-3), or NaN for anything else: hex, binary, Infinity, blanks. */
export function decimal(text: string): number {
  return DECIMAL.test(text.trim()) ? Number(text) : NaN;
}
