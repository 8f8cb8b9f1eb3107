// Where the library runs, and loading a module only there: Node's own modules
// (fs, worker_threads…) and Node-only packages (cli-progress) must never enter
// a browser bundle, so they are imported through a specifier bundlers cannot
// follow (they only follow string literals).

/** Whether this is Node (safe in any engine: it never touches an undefined global). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** A dynamic import that bundlers leave alone. */
export function hiddenImport<T>(specifier: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}

/** One of Node's own modules, by its name without the `node:` prefix. */
export function nodeModule<T>(name: string): Promise<T> {
  return hiddenImport<T>(`node:${name}`);
}
