// What keras.html does in the page and keras.test.ts repeats in Node on the
// same dist/index.js: load a real .keras and a real legacy .h5 file (from
// bytes, and by URL with loadKeras), predict on fixed rows, and note how a
// CNN file is refused.

export const FILES = ['flownet-mlp.keras', 'model-test.h5'];

export async function predictKeras(nn, bytes, url) {
  await nn.ready();
  const out = {};
  for (const name of FILES) {
    const model = await nn.io.fromKeras(await bytes(name));
    const byUrl = await nn.io.loadKeras(url(name));
    const x = [Array.from({ length: model.inputDim }, (_, i) => Math.sin(i + 1))];
    out[name] = { fromBytes: Array.from(model.predict(x).data), byUrl: Array.from(byUrl.predict(x).data) };
    model.dispose();
    byUrl.dispose();
  }
  try {
    await nn.io.fromKeras(new Uint8Array([1, 2, 3]));
  } catch (e) {
    out.refused = `${e.name}: ${e.message}`;
  }
  return out;
}
