// Export of the trained model as files the browser downloads: nnwasm's native
// JSON (nn.io.toJSON), TF.js Layers (nn.io.toTfjs: model.json and its
// weights file, which tf.loadLayersModel reads) and ONNX (nn.io.toOnnx).

import * as nn from 'nnwasm';

const TFJS_WEIGHTS = 'playground.weights.bin';

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportModel(model: nn.Sequential, format: 'native' | 'tfjs' | 'onnx'): void {
  if (format === 'native') {
    download('playground.nnwasm.json', JSON.stringify(nn.io.toJSON(model)), 'application/json');
  } else if (format === 'tfjs') {
    const { modelTopology, weightSpecs, weightData } = nn.io.toTfjs(model);
    const json = { format: 'layers-model', generatedBy: 'nnwasm playground', modelTopology, weightsManifest: [{ paths: [TFJS_WEIGHTS], weights: weightSpecs }] };
    download('playground.model.json', JSON.stringify(json), 'application/json');
    download(TFJS_WEIGHTS, weightData, 'application/octet-stream');
  } else {
    download('playground.onnx', nn.io.toOnnx(model) as Uint8Array<ArrayBuffer>, 'application/octet-stream');
  }
}
