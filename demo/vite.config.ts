// The demo site, built and served by Vite: the MNIST page (index.html) and
// the playground (playground/index.html), two pages with their own bundles. 'nnwasm' is the built package
// (dist/index.js, the file users get, with its Wasm inlined), not src/.
//   npm run demo          prepare the data, then serve with reload
//   npm run demo:build    prepare the data, then build to demo/dist/

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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
});
