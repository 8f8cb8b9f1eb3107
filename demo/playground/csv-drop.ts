// Your own 2-D data: a CSV file dropped on the page (or chosen with the file
// button, for the keyboard). The first two columns are x and y, the last is
// the target: up to five distinct values make classes, more make a
// regression target (scaled to [-1, 1]). x and y are scaled to the plane.
// nnwasm's own CSV reader parses it, so its errors say what is wrong where.
// Parsing runs on the main thread, so a file too large is refused before it
// is read (by its size) and before it is parsed (by its lines): 5 000 rows of
// x, y and a target take well under 1 MB, so MAX_BYTES leaves a wide margin.

import * as nn from 'nnwasm';
import { RADIUS } from './datasets';

const MAX_CLASSES = 5;
const MAX_ROWS = 5000;
const MAX_BYTES = 2_000_000;

/** Rows of (x, y, label) on the plane, and the classes (0: regression). */
export interface CsvPoints {
  rows: [number, number, number][];
  classes: number;
  name: string;
}

/** The text of a chosen or dropped file, once its size is known to be at most MAX_BYTES. */
export async function readCsvText(file: Blob & { name: string }): Promise<string> {
  if (file.size > MAX_BYTES) {
    throw new nn.ShapeError(`${file.name}: expected a CSV file of at most ${MAX_BYTES / 1e6} MB (up to ${MAX_ROWS} rows), got ${(file.size / 1e6).toFixed(1)} MB`);
  }
  return file.text();
}

export async function parsePoints(text: string, name: string): Promise<CsvPoints> {
  const lines = dataLines(text);
  if (lines > MAX_ROWS) throw new nn.ShapeError(`${name}: expected 4 to ${MAX_ROWS} rows, got ${lines} lines after the header`);
  const table = await nn.parseCsvTable(text);
  const cols = table.columns;
  if (cols.length < 3) throw new nn.ShapeError(`${name}: expected at least 3 columns (x, y, then the target last), got ${cols.length}`);
  if (table.rows.length < 4 || table.rows.length > MAX_ROWS) {
    throw new nn.ShapeError(`${name}: expected 4 to ${MAX_ROWS} rows, got ${table.rows.length}`);
  }
  const target = cols[cols.length - 1];
  const data = nn.tableToDataset(table, { target, numeric: [cols[0], cols[1]], ignore: cols.slice(2, -1) });
  const labels = data.y!;
  const distinct = [...new Set(labels.map(String))];
  const classes = distinct.length <= MAX_CLASSES ? Math.max(2, distinct.length) : 0;
  if (!classes && labels.some((l) => typeof l !== 'number')) {
    throw new nn.ValueError(`${name}: expected a target column of at most ${MAX_CLASSES} classes or of numbers, got ${distinct.length} distinct texts`);
  }
  const encoded = classes ? nn.labelEncoder().fit(labels).transform(labels) : scaleTo(labels as number[], 1);
  const xs = scaleTo(column(data.x, 0), RADIUS * 0.9), ys = scaleTo(column(data.x, 1), RADIUS * 0.9);
  return { rows: labels.map((_, i) => [xs[i], ys[i], encoded[i]] as [number, number, number]), classes, name };
}

/** Non-blank lines after the first (the parser skips blank ones): an upper bound of the rows, found in one pass without parsing. */
function dataLines(text: string): number {
  let lines = 0, blank = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A line ends at \n, at \r\n (counted at its \n) and at a lone \r, as the parser reads them.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      if (!blank) lines++;
      blank = true;
    } else if (c !== 32 && c !== 9 && c !== 13) blank = false;
  }
  return Math.max(0, lines + (blank ? 0 : 1) - 1);
}

const column = (m: nn.Matrix, c: number) => Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]);

/** Linearly onto [-r, r]; a constant column goes to 0. */
function scaleTo(values: number[], r: number): number[] {
  const lo = Math.min(...values), hi = Math.max(...values);
  return values.map((v) => (hi > lo ? -r + ((v - lo) * 2 * r) / (hi - lo) : 0));
}

/** Wires a drop zone and a file input to `onFile` (which reads the file, with readCsvText). */
export function setUpCsvDrop(zone: HTMLElement, picker: HTMLInputElement, onFile: (file: File) => void): void {
  const read = (file: File | undefined) => {
    if (file) onFile(file);
  };
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    read(e.dataTransfer?.files[0]);
  });
  picker.addEventListener('change', () => read(picker.files?.[0]));
}
