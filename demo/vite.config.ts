// The demo site, built and served by Vite: the MNIST page (index.html) and
// the playground (playground/index.html), two pages with their own bundles. 'nnwasm' is the built package
// (dist/index.js, the file users get, with its Wasm inlined), not src/.
//   npm run demo          prepare the data, then serve with reload
//   npm run demo:build    prepare the data, then build to demo/dist/

import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * /playground without its slash: Vite would answer with the MNIST page (its
 * fallback for an unknown path), and the playground's relative URLs need the
 * slash. A static server redirects a folder's path; so do Vite's servers here.
 */
const playgroundSlash: Plugin = {
  name: 'playground-slash',
  configureServer: (server) => void server.middlewares.use(addSlash),
  configurePreviewServer: (server) => void server.middlewares.use(addSlash),
};

function addSlash(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const url = req.url ?? '', query = url.indexOf('?');
  if ((query < 0 ? url : url.slice(0, query)) !== '/playground') return next();
  res.writeHead(301, { Location: `/playground/${query < 0 ? '' : url.slice(query)}` }).end();
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './', // the built page works from any folder of any static server
  resolve: { alias: { nnwasm: fileURLToPath(new URL('../dist/index.js', import.meta.url)) } },
  worker: { format: 'es' },
  build: {
    outDir: 'dist', emptyOutDir: true, target: 'es2022',
    rollupOptions: { input: { main: page('index.html'), playground: page('playground/index.html') } },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  plugins: [playgroundSlash],
});
