// The parts of bench/RESULTS.md that a bench rewrites on its own
// (bench/sections.ts): a run replaces its own section and nothing else, and
// the committed file has each section once, whole, apart from the others,
// so that the next run finds it (a section whose start marker is lost would
// be appended again, the old one left in place).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROWSER_SECTION, findSection, NATIVE_SECTION, replaceSection } from '../../bench/sections';

const marker = (id: string, which: 'start' | 'end') => `<!-- ${id}: ${which} -->`;

describe('a section of RESULTS.md', () => {
  const file = ['# results', 'the Node run', replaceSection('', BROWSER_SECTION, 'browser, old'), 'between',
    replaceSection('', NATIVE_SECTION, 'native, old'), 'the end'].join('\n\n');

  it('is replaced in place, the rest of the file kept', () => {
    const next = replaceSection(file, BROWSER_SECTION, 'browser, new');
    expect(next.replace('browser, new', 'browser, old')).toBe(file);
    expect(findSection(next, NATIVE_SECTION)).toContain('native, old');
  });

  it('is appended once when the file has none, and replaced, not appended, the next time', () => {
    const once = replaceSection('# results\n', NATIVE_SECTION, 'first');
    const twice = replaceSection(once, NATIVE_SECTION, 'second');
    expect(twice.split(marker(NATIVE_SECTION, 'start')).length).toBe(2);
    expect(twice).toContain('second');
    expect(twice).not.toContain('first');
  });
});

describe('bench/RESULTS.md as committed', () => {
  const text = readFileSync(new URL('../../bench/RESULTS.md', import.meta.url), 'utf8');

  it.each([BROWSER_SECTION, NATIVE_SECTION])('has one whole "%s" section', (id) => {
    for (const which of ['start', 'end'] as const) expect(text.split(marker(id, which)).length - 1, which).toBe(1);
    expect(findSection(text, id)).not.toBe('');
  });

  it('has no section inside another', () => {
    const [a, b] = [BROWSER_SECTION, NATIVE_SECTION].map((id) => findSection(text, id));
    expect(a).not.toContain(b);
    expect(b).not.toContain(a);
  });
});
