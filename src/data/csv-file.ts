// readCsv: a CSV file on disk, read as a dataset (Node only). Browsers have no
// paths to read: they fetch the text and give it to parseCsv. node:fs is
// loaded the way io/location.ts loads it, so browser bundles never see it.

import { parseCsv, type CsvDataset, type CsvDatasetOptions } from './csv';
import { ConfigError, NnError, ValueError, describe } from '../errors';
import { isNode, nodeModule } from '../runtime';

type Fs = typeof import('node:fs/promises');

/**
 * Reads a CSV file into training data (Node only): the feature matrix x
 * (numeric columns as they are, text columns one-hot) and the target column
 * y. In a browser, fetch the text and use {@link parseCsv}.
 *
 * @param path - The file's path.
 * @param options - See {@link CsvDatasetOptions}: `target`, `ignore`, `categorical`,
 *   `numeric`, `missing` ('error' or 'drop'), `delimiter` (','), `header` ('auto').
 * @throws {@link ConfigError} outside Node, for CSV text given as the path, for unknown
 *   column names or conflicting options.
 * @throws {@link ValueError} for a file that cannot be read, bad CSV, missing values
 *   (unless dropped) and non-numbers in numeric columns; messages start with the path.
 * @throws {@link ShapeError} for rows of different widths.
 * @example
 * ```ts
 * import * as nn from 'nnwasm';
 * import { writeFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const path = join(tmpdir(), 'houses.csv');
 * writeFileSync(path, 'rooms,garden,price\n2,no,150\n3,yes,240\n4,yes,310\n');
 * const data = await nn.readCsv(path, { target: 'price' });
 * console.log(data.featureNames, data.y); // [ 'rooms', 'garden=no', 'garden=yes' ] [ 150, 240, 310 ]
 * ```
 */
export async function readCsv(path: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  if (typeof path !== 'string' || path === '') throw new ValueError(`readCsv: expected a file path, got ${describe(path)}`);
  if (path.includes('\n')) throw new ConfigError('readCsv: expected a file path, got CSV text; parse text with nn.parseCsv(text, options)');
  if (!isNode()) throw new ConfigError('readCsv: reading a file by its path needs Node; in a browser, fetch the text and give it to nn.parseCsv(text, options)');
  const fs = await nodeModule<Fs>('fs/promises');
  const text = await fs.readFile(path, 'utf8').catch((e: Error) => {
    throw new ValueError(`readCsv: cannot read ${path}: ${e.message}`);
  });
  try {
    return await parseCsv(text, options);
  } catch (e) {
    // Say which file: a message about row 3 means little without it.
    if (!(e instanceof NnError)) throw e;
    const Err = e.constructor as new (message: string) => NnError;
    throw new Err(`${path}: ${e.message}`);
  }
}
