// Your own 2-D data: a CSV file dropped on the page (or chosen with the file
// button, for the keyboard). The first two columns are x and y, the last is
// the target: up to five distinct values make classes, more make a
// regression target (scaled to [-1, 1]). x and y are scaled to the plane.
// nnwasm's own CSV reader parses it, so its errors say what is wrong where.

import * as nn from 'nnwasm';
import { RADIUS } from './datasets';

const MAX_CLASSES = 5;
const MAX_ROWS = 5000;

/** Rows of (x, y, label) on the plane, and the classes (0: regression). */
export interface CsvPoints {
  rows: [number, number, number][];
  classes: number;
  name: string;
}

export async function parsePoints(text: string, name: string): Promise<CsvPoints> {
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

const column = (m: nn.Matrix, c: number) => Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]);

/** Linearly onto [-r, r]; a constant column goes to 0. */
function scaleTo(values: number[], r: number): number[] {
  const lo = Math.min(...values), hi = Math.max(...values);
  return values.map((v) => (hi > lo ? -r + ((v - lo) * 2 * r) / (hi - lo) : 0));
}

/** Wires a drop zone and a file input to `onFile`. */
export function setUpCsvDrop(zone: HTMLElement, picker: HTMLInputElement, onFile: (text: string, name: string) => void): void {
  const read = async (file: File | undefined) => {
    if (file) onFile(await file.text(), file.name);
  };
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    void read(e.dataTransfer?.files[0]);
  });
  picker.addEventListener('change', () => void read(picker.files?.[0]));
}
