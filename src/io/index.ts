// nn.io: saving and loading models, and moving them to and from other engines.
//
//   native JSON    nn.io.toJSON(model) ≡ model.toJSON()      nn.io.fromJSON(json) ≡ nn.fromJSON(json)
//   native binary  nn.io.save(model) → { json, weights }     nn.io.load({ json, weights })
//   files / URLs   nn.io.saveModel(model, dir)   (Node)      nn.io.loadModel(dir | file | url) ≡ nn.loadModel (async): any format, told by content
//   TF.js Layers   nn.io.toTfjs(model) → artifacts            nn.io.fromTfjs(artifacts | model.json, weightData?)
//                  nn.io.saveTfjs(model, dir)     (Node)      nn.io.loadTfjs(dir | model.json | url)
//   ONNX           nn.io.toOnnx(model) → Uint8Array (opset 13)  nn.io.fromOnnx(bytes), nn.io.loadOnnx(file | url)
//   TF.js graphs                                              nn.io.fromTfjsGraph(model.json, weightData)
//   Keras files    nn.io.fromKeras(bytes of .keras | .h5)     nn.io.loadKeras(path | url)   (async: h5wasm loads on first use)
//   preprocessing  nn.io.setPreprocessing(model, scaler)       nn.io.getPreprocessing(model)
//
// Native saves are exact: weights, optimizer state and step round-trip bit
// for bit, so predictions match and training resumes as if never saved.
// Every loader rejects malformed or hostile input with a ModelFormatError.

export {
  FORMAT, VERSION, MAX_LAYERS, MAX_PARAMS, modelToJSON as toJSON, fromJSON,
  type ModelJSON, type ModelHeader, type LayerJSON, type CompileJSON, type SaveOptions, type LoadOptions,
} from './native';
export {
  saveArtifacts as save, loadArtifacts as load,
  type ModelArtifacts, type ModelArtifactsInput, type ModelManifest, type WeightsManifest,
} from './binary';
export { saveModel, MODEL_FILE, WEIGHTS_FILE, type ModelSource } from './files';
export { loadModel } from './formats';
export { DEFAULT_TIMEOUT_MS, type UrlLike, type ReadOptions, type AbortSignalLike } from './location';
export { toTfjs, fromTfjs, type TfjsArtifacts, type TfjsModelJSON, type TfjsWeightSpec, type WeightData } from './tfjs';
export { saveTfjs, loadTfjs } from './tfjs-files';
export { toOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx';
export { fromKeras, loadKeras } from './keras-files';
export { setPreprocessing, getPreprocessing } from './preprocessing';
export { fromOnnx } from './onnx-import';
export { fromTfjsGraph } from './tfjs-graph';
export { loadOnnx, ONNX_FILE } from './onnx-files';
