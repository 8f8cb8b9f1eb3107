// A server that answers the CSV parser chunk's URL with some other module (a
// page's catch-all route, a stale deploy): the parse must say the parser did
// not load, an nn.LoadError, not blame the caller's CSV with a ValueError.

import { expect, test, vi } from 'vitest';
import * as nn from '../../src/index';

vi.mock('csv-parse/sync', () => ({ parse: undefined, other: () => [] }));

test('a CSV parser module with no parse function is a LoadError naming the parser, every time', async () => {
  for (let attempt = 0; attempt < 2; attempt++) {
    const e = await nn.parseCsvTable('a,b\n1,2\n').then(() => undefined, (error: unknown) => error as Error);
    expect(e).toBeInstanceOf(nn.LoadError);
    expect(e!.message).toBe(
      'parseCsv: expected to load the CSV parser (a part of nnwasm fetched on first use), got TypeError: a module with no parse function (undefined)');
  }
});
