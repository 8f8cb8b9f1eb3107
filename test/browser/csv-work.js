// What csv.html does in the page and plain.test.ts repeats in Node (through
// the ESM and the CJS file of the same dist/): parse CSV text with
// nn.parseCsvTable: a real file, one with the awkward cases, one without a header,
// and a ragged one, which must fail with a typed error.

/** A BOM, semicolons, a quoted field holding the delimiter, doubled quotes and a line break, a blank line, padded cells. */
export const AWKWARD = '\uFEFFname;note;value\n"Smith; J.";"said ""hi""\nthen left";1.5\n\n  Lee ;plain;-2\n';
export const HEADERLESS = '1,2,3\n4,5,6\n';
export const RAGGED = 'a,b\n1,2\n3\n';

export async function parseTables(nn, weatherText) {
  const ragged = await nn.parseCsvTable(RAGGED).then(
    () => ({ name: 'no error' }),
    (e) => ({ name: e.name, typed: e instanceof nn.NnError, message: e.message }),
  );
  return {
    weather: await nn.parseCsvTable(weatherText),
    awkward: await nn.parseCsvTable(AWKWARD, { delimiter: ';' }),
    headerless: await nn.parseCsvTable(HEADERLESS),
    ragged,
  };
}
