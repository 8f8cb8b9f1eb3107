// Parts of bench/RESULTS.md that a bench rewrites on its own, between two
// HTML comments: the browser bench's (bench/browser/) and the native
// anchors (bench/native.ts), so that one run never erases another's figures.

const start = (id: string) => `<!-- ${id}: start -->`;
const end = (id: string) => `<!-- ${id}: end -->`;

/** body between id's markers, as it goes into the file. */
export function wrapSection(id: string, body: string): string {
  return `${start(id)}\n\n${body.trim()}\n\n${end(id)}`;
}

/** id's section of markdown, markers included; '' if it has none. */
export function findSection(markdown: string, id: string): string {
  const from = markdown.indexOf(start(id)), to = markdown.indexOf(end(id));
  return from >= 0 && to > from ? markdown.slice(from, to + end(id).length) : '';
}

/** markdown with id's section replaced by `body` (appended if it had none). */
export function replaceSection(markdown: string, id: string, body: string): string {
  const old = findSection(markdown, id);
  const next = wrapSection(id, body);
  return old ? markdown.replace(old, () => next) : `${markdown.trimEnd()}\n\n${next}\n`;
}

/** The sections' ids. */
export const BROWSER_SECTION = 'browser bench (npm run bench:browser, bench/browser/render.ts)';
export const NATIVE_SECTION = 'native anchors (npm run bench, bench/native-results.ts)';
