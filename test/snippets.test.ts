// Every code block a user reads is a program, and this test runs each one as
// written: the fenced blocks of README.md and docs/*.md, and the @example
// blocks of the API reference (TSDoc in src/). They run in a project laid out
// as a user's would be (test-output/snippets/: "type": "module", nnwasm and
// the packages the docs tell users to install under node_modules/):
//
//   ```ts     tsc --strict (module nodenext), then node on the emitted .js
//   ```js     node, as an ES module (.js), or as CommonJS (.cjs) when it calls require()
//   ```html   a page served on 127.0.0.1, in Chromium: it must log and report no error
//   ```sh     bash in the project; its `npm install` lines are replaced by links to
//             this repository's node_modules (each package must be a dependency here)
//   ```sh repo   bash in the repository (contributors' commands)
//   ```sh ci     the README's first commands: .ci/run must run each of them
//   ```text   output shown to the reader: not run
//
// A block in any other language fails the test, so nothing is silently left out.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectErrors, ensureDist, launch } from './browser/setup';
import { serve, type StaticServer } from './browser/server';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'test-output/snippets');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
/** Long enough for a loaded machine; only here to turn a hang into a failure. */
const HANG = 180_000;

type Kind = 'ts' | 'js' | 'cjs' | 'html' | 'sh' | 'repo' | 'ci' | 'text';

interface Snippet {
  /** file:line of the block's first line of code. */
  where: string;
  kind: Kind;
  code: string;
}

function kindOf(info: string, code: string, where: string): Kind {
  const [lang = '', tag = ''] = info.trim().split(/\s+/);
  if (lang === 'ts' || lang === 'typescript') return 'ts';
  if (lang === 'js' || lang === 'javascript') return /\brequire\(/.test(code) ? 'cjs' : 'js';
  if (lang === 'html') return 'html';
  if (lang === 'sh' || lang === 'bash') return tag === 'repo' ? 'repo' : tag === 'ci' ? 'ci' : 'sh';
  if (lang === 'text') return 'text';
  throw new Error(`${where}: a code block in "${info}": give it a language this test runs (ts, js, html, sh) or mark it text`);
}

/** The fenced blocks of a Markdown file (lines are 1-based, as editors show them). */
function markdownSnippets(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i + 1;
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]));
    const code = lines.slice(start, i).map((l) => l.slice(indent)).join('\n') + '\n';
    const where = `${relative(ROOT, file)}:${start + 1}`;
    found.push({ where, kind: kindOf(open[2], code, where), code });
  }
  return found;
}

/** The ```ts blocks of TSDoc @example tags, without the comments' leading ` * `. */
function exampleSnippets(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example/.test(lines[i])) continue;
    while (++i < lines.length && !/^\s*\*\s*```/.test(lines[i]) && !/\*\//.test(lines[i]));
    const open = /^\s*\*\s*```(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i + 1;
    while (++i < lines.length && !/^\s*\*\s*```\s*$/.test(lines[i]));
    const code = lines.slice(start, i).map((l) => l.replace(/^\s*\*( |$)/, '')).join('\n') + '\n';
    const where = `${relative(ROOT, file)}:${start + 1}`;
    found.push({ where, kind: kindOf(open[1] || 'ts', code, where), code });
  }
  return found;
}

function filesUnder(dir: string, ending: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.includes(`${join('docs', 'api')}`))
    .sort();
}

const DOCS = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), '.md')];
const SNIPPETS: Snippet[] = [
  ...DOCS.flatMap(markdownSnippets),
  ...filesUnder(join(ROOT, 'src'), '.ts').flatMap(exampleSnippets),
];

/** The packages that the docs' `npm install …` commands name, in code or in prose (nnwasm itself aside). */
function installedPackages(): string[] {
  const names = new Set<string>();
  for (const file of DOCS) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bnpm (?:install|i) ([^\n&|;`]*)/g)) {
      for (const word of m[1].trim().split(/\s+/)) if (/^[a-z@][\w./@-]*$/.test(word) && word !== 'nnwasm') names.add(word);
    }
  }
  return [...names].sort();
}

/** A file name per snippet: its number and a readable trace of where it came from. */
function fileName(s: Snippet, n: number): string {
  const ext = { ts: 'ts', js: 'js', cjs: 'cjs', html: 'html', sh: 'sh', repo: 'sh', ci: 'sh', text: 'txt' }[s.kind];
  return `s${String(n).padStart(3, '0')}-${s.where.replace(/[^A-Za-z0-9]+/g, '-')}.${ext}`;
}

function link(target: string, path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  symlinkSync(target, path);
}

/** The user's project: package.json, tsconfig.json, node_modules/{nnwasm, …}, and each snippet as a file. */
function layOut(): void {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  writeFileSync(join(WORK, 'package.json'), JSON.stringify({ name: 'my-project', private: true, type: 'module' }, null, 2));
  writeFileSync(join(WORK, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out',
      types: ['node'], skipLibCheck: true,
    },
    include: ['*.ts'],
  }, null, 2));
  link(ROOT, join(WORK, 'node_modules/nnwasm'));
  for (const name of installedPackages()) link(join(ROOT, 'node_modules', name), join(WORK, 'node_modules', name));
  const bin = join(WORK, 'node_modules/.bin/nnwasm');
  mkdirSync(join(bin, '..'), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\nexec node ${JSON.stringify(join(ROOT, 'dist/cli.js'))} "$@"\n`);
  chmodSync(bin, 0o755);
  SNIPPETS.forEach((s, n) => writeFileSync(join(WORK, fileName(s, n)), s.code));
}

interface Ran { status: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd: string): Ran {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(WORK, 'node_modules/.bin')}:${process.env.PATH}` };
  for (const key of Object.keys(env)) if (/^npm_(package|lifecycle|config_local_prefix)/i.test(key)) delete env[key];
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: HANG, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

function expectRan(r: Ran, s: Snippet): void {
  const shown = `${s.where} exited ${r.status}\n--- code\n${s.code}--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
  expect(r.status, shown).toBe(0);
  expect(r.stdout.trim(), `${s.where} printed nothing: a snippet shows its result\n${shown}`).not.toBe('');
}

/** What `npm install X` becomes here: nothing to do, since layOut linked X; the rest runs as written. */
function withoutInstalls(code: string): string {
  return code.replace(/^\s*npm (?:install|i)\b[^\n]*$/gm, ':');
}

let typeErrors = '';

beforeAll(() => {
  ensureDist();
  layOut();
  if (SNIPPETS.some((s) => s.kind === 'ts')) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', WORK], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      typeErrors = (e as { stdout?: string }).stdout ?? String(e);
    }
  }
}, HANG);

describe('the docs hold snippets of every runnable kind', () => {
  test('README: TypeScript, ES module, CommonJS, HTML and shell blocks', () => {
    const kinds = new Set(SNIPPETS.filter((s) => s.where.startsWith('README.md')).map((s) => s.kind));
    for (const k of ['ts', 'js', 'cjs', 'html', 'sh', 'ci'] as const) expect(kinds.has(k), `README.md has no ${k} block`).toBe(true);
  });
  test('every package the docs tell users to install is a dependency of this repository', () => {
    const known = { ...PACKAGE.dependencies, ...PACKAGE.devDependencies };
    for (const name of installedPackages()) expect(known[name], `npm install ${name}`).toBeDefined();
  });
});

describe.each(SNIPPETS.map((s, n) => [s.where, s, n] as const).filter(([, s]) => s.kind !== 'text'))('%s', (_where, s, n) => {
  const file = fileName(s, n);
  if (s.kind === 'ts') {
    test('type-checks with tsc --strict and runs', () => {
      const mine = typeErrors.split('\n').filter((l) => l.startsWith(file));
      expect(mine, `${s.where}\n${typeErrors}`).toEqual([]);
      expectRan(run(process.execPath, [join('out', file.replace(/\.ts$/, '.js'))], WORK), s);
    }, HANG);
  } else if (s.kind === 'js' || s.kind === 'cjs') {
    test(`runs in Node as ${s.kind === 'js' ? 'an ES module' : 'CommonJS'}`, () => {
      expectRan(run(process.execPath, [file], WORK), s);
    }, HANG);
  } else if (s.kind === 'sh') {
    test('runs in bash in a user\'s project', () => {
      writeFileSync(join(WORK, file), withoutInstalls(s.code));
      expectRan(run('bash', ['-euo', 'pipefail', file], WORK), s);
    }, HANG);
  } else if (s.kind === 'repo') {
    test('runs in bash in the repository', () => {
      expectRan(run('bash', ['-euo', 'pipefail', join(WORK, file)], ROOT), s);
    }, HANG);
  } else if (s.kind === 'ci') {
    test('.ci/run runs each of these commands', () => {
      const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
      for (const command of s.code.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean)) {
        for (const step of command.split('&&').map((c) => c.trim())) {
          const expected = step === 'npm install' ? /^\s*npm (ci|install)\b/m : new RegExp(`^\\s*${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'm');
          expect(ci, `${s.where}: .ci/run does not run \`${step}\``).toMatch(expected);
        }
      }
    });
  } else if (s.kind === 'html') {
    describe('in Chromium', () => {
      let server: StaticServer;
      beforeAll(async () => {
        server = await serve(WORK);
      });
      afterAll(() => server?.close());
      test('loads from a static server, logs its result and reports no error', async () => {
        const browser = await launch();
        try {
          const page = await browser.newPage();
          const errors = collectErrors(page);
          const logged = new Promise<string>((resolve) => page.on('console', (m) => m.type() === 'log' && resolve(m.text())));
          const failed = new Promise<string>((resolve) => page.on('pageerror', (e) => resolve(`uncaught: ${e.message}`)));
          await page.goto(`${server.url}/${file}`);
          const first = await Promise.race([logged, failed]);
          // Chromium asks every page for /favicon.ico: its 404 is the server's, not the snippet's.
          expect(errors.filter((e) => !/favicon\.ico|404 \(Not Found\)/.test(e)), s.where).toEqual([]);
          expect(first.trim(), s.where).not.toBe('');
        } finally {
          await browser.close();
        }
      }, HANG);
    });
  }
});
