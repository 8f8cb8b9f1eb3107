// The suite's report: every failing case with its class and what happened,
// grouped by class, written to test-output/ (gitignored) as Markdown and
// JSON, and printed, so the lead can check fixes case by case.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, FailureKind, Result } from './case';
import { ROOT } from './tools';

/** Most telling first: a case's headline failure is the first of these it has. */
const SEVERITY: FailureKind[] = [
  'crash', 'hang', 'memory', 'broken-process', 'sentinel-changed', 'model-changed', 'double-free', 'leak',
  'untyped-error', 'unhandled', 'accepted', 'rejected', 'check', 'wrong-class', 'vague-message', 'setup',
];

export function headline(r: Result): { kind: FailureKind; detail: string } | undefined {
  return [...r.failures].sort((a, b) => SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind))[0];
}

/** One line per failing case, grouped by class, with the count per class and per kind. */
export function summarize(cases: Case[], results: Map<string, Result>, title: string): string {
  const failing = cases.filter((c) => !results.get(c.id)?.ok);
  const lines = [`# ${title}`, '', `${cases.length} cases, ${cases.length - failing.length} pass, ${failing.length} fail.`, ''];
  const kinds = new Map<string, number>();
  for (const c of failing) {
    const h = headline(results.get(c.id)!);
    if (h) kinds.set(h.kind, (kinds.get(h.kind) ?? 0) + 1);
  }
  if (kinds.size) lines.push(`By kind: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}.`, '');
  const classes = [...new Set(cases.map((c) => c.cls))];
  for (const cls of classes) {
    const all = cases.filter((c) => c.cls === cls);
    const bad = failing.filter((c) => c.cls === cls);
    lines.push(`## ${cls}: ${bad.length} of ${all.length} fail`);
    for (const c of bad) {
      const r = results.get(c.id)!;
      const h = headline(r)!;
      const more = r.failures.length > 1 ? ` (+${r.failures.filter((f) => f !== h).map((f) => f.kind).join(', ')})` : '';
      lines.push(`- \`${c.id}\` — ${c.what}: **${h.kind}**${more}: ${h.detail}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function writeReport(name: string, cases: Case[], results: Map<string, Result>, title: string): string {
  const text = summarize(cases, results, title);
  const dir = join(ROOT, 'test-output');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.md`), text);
  const json = cases.map((c) => ({ id: c.id, cls: c.cls, what: c.what, ...results.get(c.id) }));
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(json, null, 1));
  return text;
}
