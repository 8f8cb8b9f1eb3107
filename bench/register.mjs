// `node --import ./bench/register.mjs bench/index.ts`: TypeScript through tsx,
// and .wasm imports as bytes through ./wasm-loader.mjs.

import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./wasm-loader.mjs', import.meta.url);
registerTsx();
