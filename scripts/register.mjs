// `node --import ./scripts/register.mjs file.ts`: runs the repo's TypeScript
// (src/ included) without a build of the bundle: TypeScript through tsx, and
// .wasm imports as bytes through ./wasm-loader.mjs. npm start, npm run bench,
// the examples and the tests' child processes run this way.

import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./wasm-loader.mjs', import.meta.url);
registerTsx();
