// CSV reading: header detection, quoting, numeric and one-hot columns, and
// errors that name the row and column of the bad cell.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCsvTable', () => {
  it('detects a header above numeric columns', async () => {
    const t = await nn.parseCsvTable('a,b,label\n1,2,x\n3,4,y\n');
    expect(t.header).toBe(true);
    expect(t.columns).toEqual(['a', 'b', 'label']);
    expect(t.rows).toEqual([['1', '2', 'x'], ['3', '4', 'y']]);
    expect(t.lines).toEqual([2, 3]);
  });

  it('detects a headerless file and names its columns col1…', async () => {
    const t = await nn.parseCsvTable('1,2,x\n3,4,y\n');
    expect(t.header).toBe(false);
    expect(t.columns).toEqual(['col1', 'col2', 'col3']);
    expect(t.rows.length).toBe(2);
  });

  it('detects a header over text-only columns when its names do not recur', async () => {
    expect((await nn.parseCsvTable('color,size\nred,S\nblue,M\n')).header).toBe(true);
    expect((await nn.parseCsvTable('red,S\nblue,M\nred,S\n')).header).toBe(false);
  });

  it('takes an explicit header choice and another delimiter', async () => {
    const t = await nn.parseCsvTable('1;2\n3;4\n', { header: true, delimiter: ';' });
    expect(t.columns).toEqual(['1', '2']);
    expect(t.rows).toEqual([['3', '4']]);
  });

  it('reads quoted fields with delimiters, quotes and line breaks, and counts lines', async () => {
    const t = await nn.parseCsvTable(fixture('quoted.csv'));
    expect(t.columns).toEqual(['name', 'size', 'note']);
    expect(t.rows[0]).toEqual(['Smith, John', '1.5', 'said "hi"']);
    expect(t.rows[1]).toEqual(['Doe', '2', 'two\nlines']);
    expect(t.rows[2][0]).toBe('Roe');
    expect(t.lines).toEqual([2, 3, 5]);
  });

  it('reports ragged rows and unclosed quotes', async () => {
    await expect(nn.parseCsvTable('a,b\n1,2\n3,4,5\n')).rejects.toThrow(nn.ShapeError);
    await expect(nn.parseCsvTable('a,b\n1,2\n3,4,5\n')).rejects.toThrow(/line 3/);
    await expect(nn.parseCsvTable('a,b\n1,"2\n')).rejects.toThrow(/Quote Not Closed/);
    await expect(nn.parseCsvTable('')).rejects.toThrow(/no rows/);
    await expect(nn.parseCsvTable('a,a\n1,2\n', { header: true })).rejects.toThrow(/column "a" twice/);
  });
});

describe('parseCsv', () => {
  it('passes numeric columns through and one-hot encodes text columns', async () => {
    const d = await nn.parseCsv(fixture('mixed.csv'), { target: 'price' });
    expect(d.features).toEqual([
      { name: 'size', kind: 'numeric' },
      { name: 'color', kind: 'categorical', categories: ['blue', 'green', 'red'] },
      { name: 'weight', kind: 'numeric' },
    ]);
    expect(d.featureNames).toEqual(['size', 'color=blue', 'color=green', 'color=red', 'weight']);
    expect(d.x.toArray()).toEqual([
      [1, 0, 0, 1, 0.5],
      [2, 1, 0, 0, 1.5],
      [3, 0, 1, 0, 2.5],
      [4, 0, 0, 1, -1],
    ]);
    expect(d.y).toEqual([10, 20, 30, 40]);
  });

  it('keeps text targets as strings, and one-hot encodes numeric codes on request', async () => {
    const d = await nn.parseCsv('code,size,kind\n1,1,a\n2,2,b\n1,3,a\n', { target: 'kind', categorical: ['code'] });
    expect(d.y).toEqual(['a', 'b', 'a']);
    expect(d.featureNames).toEqual(['code=1', 'code=2', 'size']);
  });

  it('leaves out ignored columns', async () => {
    const d = await nn.parseCsv('id,x,y\nA7,1,2\nB3,2,4\n', { target: 'y', ignore: ['id'] });
    expect(d.featureNames).toEqual(['x']);
  });

  it('reports missing values with row, line and column', async () => {
    const text = fixture('missing.csv');
    await expect(nn.parseCsv(text, { target: 'y' })).rejects.toThrow(nn.ValueError);
    await expect(nn.parseCsv(text, { target: 'y' })).rejects.toThrow(
      /2 missing values at row 2 \(line 3\), column "b"; row 4 \(line 5\), column "y"/,
    );
  });

  it('drops rows with missing values on request and lists them', async () => {
    const d = await nn.parseCsv(fixture('missing.csv'), { target: 'y', missing: 'drop' });
    expect(d.x.rows).toBe(3);
    expect(d.dropped).toEqual([{ row: 2, line: 3, column: 'b' }, { row: 4, line: 5, column: 'y' }]);
    expect(d.y).toEqual([1, 3, 5]);
  });

  it('reports text in a numeric column with row and column', async () => {
    const text = 'a,b,y\n1,2,0\n3,4,1\n5,abc,0\n7,8,1\n';
    await expect(nn.parseCsv(text, { target: 'y' })).rejects.toThrow(nn.ValueError);
    await expect(nn.parseCsv(text, { target: 'y' })).rejects.toThrow(/expected a number at row 3 \(line 4\), column "b", got "abc"/);
    // Forced numeric: even a mostly-text column is an error, not a category.
    await expect(nn.parseCsv('a,y\nx,1\ny,2\n', { target: 'y', numeric: ['a'] })).rejects.toThrow(/row 1 \(line 2\), column "a"/);
  });

  it('names unknown columns and suggests the closest', async () => {
    await expect(nn.parseCsv('alpha,beta\n1,2\n', { target: 'bta' })).rejects.toThrow(nn.ConfigError);
    await expect(nn.parseCsv('alpha,beta\n1,2\n', { target: 'bta' })).rejects.toThrow(/no column named "bta".*Did you mean 'beta'/);
  });

  it('encodes new rows with the training columns, by name, and reports unseen categories', async () => {
    const train = await nn.parseCsv(fixture('mixed.csv'), { target: 'price' });
    const fresh = await nn.parseCsvTable('weight,color,size\n2,green,9\n');
    expect(nn.encodeFeatures(fresh, train.features).toArray()).toEqual([[9, 0, 1, 0, 2]]);
    const odd = await nn.parseCsvTable('weight,color,size\n2,purple,9\n');
    expect(() => nn.encodeFeatures(odd, train.features)).toThrow(/unknown category "purple" at row 1 \(line 2\), column "color"/);
    const short = await nn.parseCsvTable('weight,size\n2,9\n');
    expect(() => nn.encodeFeatures(short, train.features)).toThrow(/no column named "color"/);
  });
});

describe('CSV options and hand-made tables are checked', () => {
  it.each<[unknown]>([['\n'], ['\r'], ['"'], [';;'], [''], [5]])(
    'a delimiter of %j is a ConfigError', async (delimiter) => {
      const call = nn.parseCsvTable('a,b\n1,2\n', { delimiter: delimiter as string });
      await expect(call).rejects.toThrow(nn.ConfigError);
      await expect(nn.parseCsv('a,b\n1,2\n', { delimiter: delimiter as string })).rejects.toThrow(/parseCsv: delimiter: expected one character other than a quote, CR or LF, got/);
    });

  it.each<[unknown]>([['yes'], [1], [null]])('a header of %j is a ConfigError', async (header) => {
    await expect(nn.parseCsvTable('a,b\n1,2\n', { header: header as boolean })).rejects.toThrow(/parseCsv: header: expected true, false or 'auto', got/);
  });

  it('finds a repeated name in a header of 100 000 columns (a Set, not indexOf per name)', async () => {
    const names = Array.from({ length: 100_000 }, (_, j) => `c${j}`);
    names[99_999] = 'c7';
    const text = `${names.join(',')}\n${new Array(100_000).fill(1).join(',')}\n`;
    await expect(nn.parseCsvTable(text, { header: true })).rejects.toThrow(/names column "c7" twice/);
  });

  it('every table helper refuses a non-table, naming itself', () => {
    const calls: [string, () => unknown][] = [
      ['readCsv', () => nn.tableToDataset(null as never)], ['inferFeatures', () => nn.inferFeatures(null as never)],
      ['encodeFeatures', () => nn.encodeFeatures(null as never, [])], ['targetValues', () => nn.targetValues(null as never, 'a')],
      ['findMissing', () => nn.findMissing(null as never, [])], ['dropMissing', () => nn.dropMissing(null as never, [])],
    ];
    for (const [fn, call] of calls) expect(call, fn).toThrow(new RegExp(`^${fn}: table: expected a table from nn.parseCsvTable`));
  });

  it('a ragged or non-string table is a ShapeError or ConfigError before anything is encoded', () => {
    const ragged = { columns: ['a', 'b'], rows: [['1', '2'], ['2', '3', '4']], lines: [2, 3], header: true };
    expect(() => nn.tableToDataset(ragged)).toThrow(nn.ShapeError);
    expect(() => nn.tableToDataset(ragged)).toThrow(/table.rows\[1\]: expected 2 cells \(one per column\)/);
    const noLines = { ...ragged, rows: [['1', '2']], lines: [] };
    expect(() => nn.tableToDataset(noLines)).toThrow(/table.lines: expected one line number per row \(1\)/);
    const numbers = { ...ragged, rows: [['1', 2]], lines: [2] } as never;
    expect(() => nn.tableToDataset(numbers)).toThrow(/table.rows\[0\]\[1\]: expected a string, got/);
  });

  it('feature specs are checked: a list of names with numeric or categorical kinds', async () => {
    const table = await nn.parseCsvTable('a,b\n1,x\n');
    expect(() => nn.featureNames(null as never)).toThrow(/featureNames: features: expected an array of feature specs/);
    expect(() => nn.encodeFeatures(table, [{ name: 'a', kind: 'image' } as never])).toThrow(/encodeFeatures: features\[0\].kind: expected 'numeric' or 'categorical', got/);
    expect(() => nn.encodeFeatures(table, [{ name: 'b', kind: 'categorical', categories: null } as never])).toThrow(/features\[0\].categories: expected an array/);
    expect(nn.encodeFeatures(table, [{ name: 'a', kind: 'numeric' }, { name: 'b', kind: 'categorical', categories: ['x', 'y'] }]).toArray()).toEqual([[1, 1, 0]]);
  });
});
