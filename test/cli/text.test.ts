// The command line's echo of the user's text (src/cli/text.ts): a cell from a
// hostile CSV must reach the terminal as inert text. JSON.stringify escapes
// C0 controls and ESC, but leaves C1 controls (U+009B is a one-character CSI
// that xterm-family terminals act on in UTF-8) and the bidi overrides that
// reorder what the user reads (CVE-2021-42574's "Trojan Source").

import { describe, expect, it } from 'vitest';
import { decimal, shown } from '../../src/cli/text';

/** The characters a terminal may act on or reorder, besides C0 and DEL. */
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('shown', () => {
  const hostile = [
    '\u009b31mred',            // 8-bit CSI
    '\u009d0;title\u009c',      // 8-bit OSC … ST
    '\u001b[2J\u001b]0;x\u0007', // 7-bit escapes (already escaped by JSON)
    'abc\u202eevil',           // right-to-left override
    'x\u2066y\u2069z\u200f',    // isolates and a mark
    'line\u2028break\u2029',    // Unicode line and paragraph separators
  ];
  for (const cell of hostile) {
    it(`leaves no control or bidi character in ${JSON.stringify(cell)}`, () => {
      const out = shown(cell);
      expect(out).not.toMatch(DANGEROUS);
      // Still says what the cell was: the escapes decode back to it.
      expect(JSON.parse(out)).toBe(cell);
    });
  }

  it('keeps printable text as it is', () => {
    expect(shown('héllo wörld ✓')).toBe('"héllo wörld ✓"');
  });

  it('clips long cells, and a clip inside a surrogate pair leaves no lone half unescaped', () => {
    const out = shown('a'.repeat(39) + '😀'.repeat(3));
    expect(out.endsWith('…"')).toBe(true);
    expect(out).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('decimal', () => {
  it('reads decimal numbers and nothing else', () => {
    expect(decimal('1e5')).toBe(100000);
    expect(Object.is(decimal('-0'), -0)).toBe(true);
    for (const t of ['0x10', '0b1', '0o7', 'Infinity', '-Infinity', '', ' ', '.', 'e5', '1_000', '١']) expect(decimal(t)).toBeNaN();
  });
});
