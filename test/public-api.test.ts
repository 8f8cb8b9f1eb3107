// The public API, pinned. The names src/index.ts exports at run time (and
// those of its namespaces), the names the published dist/index.d.ts declares,
// and the rule that nothing marked @internal reaches that .d.ts are all
// compared with lists written out here, so any change to the API is an edit
// of this file: deliberate, and visible in review. The last block checks that
// each name means one thing: read* and load* take paths, parse* and from*
// take text, and a name shared by nn and a namespace is the same function.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Options } from 'tsup';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index';
import tsupConfig from '../tsup.config';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Values: what `import * as nn` holds at run time. */
const VALUES = [
  'AbortError', 'ACTIVATIONS', 'ConfigError', 'DisposedError', 'INITIALIZERS', 'LOSSES', 'LabelEncoder', 'LoadError', 'METRICS', 'Matrix',
  'MemoryError', 'MinMaxScaler', 'ModelFormatError', 'NnError', 'NotCompiledError', 'NotFittedError', 'Sequential', 'ShapeError',
  'OPTIMIZERS', 'StandardScaler', 'ValueError', 'activation', 'adagrad', 'adam', 'adamw', 'batchNormalization', 'dense', 'dropMissing', 'dropout', 'flatten', 'leakyRelu', 'encodeFeatures', 'featureNames', 'findMissing',
  'fromJSON', 'getBackend', 'getBuild', 'getThreads', 'gradientCheck', 'inferFeatures', 'inferTask', 'io',
  'labelEncoder', 'loadModel', 'minMaxScaler', 'nadam', 'oneHot', 'ops', 'parseCsv', 'parseCsvTable', 'perceptron',
  'callbacks', 'randomSearch', 'readCsv', 'readCsvStream', 'ready', 'regularizers', 'rmsprop', 'scalerFromJSON', 'schedules', 'search', 'sequential', 'setBackend', 'sgd',
  'standardScaler', 'tableToDataset', 'targetValues', 'trainTestSplit',
];

/** Types: exported by the .d.ts only. */
const TYPES = [
  'Activation', 'ActivationConfig', 'ActivationName', 'AdagradOptions', 'AdamOptions', 'AdamwOptions', 'BatchNormalization', 'BatchNormalizationConfig', 'BackendName', 'BackpropResult', 'Build', 'Callbacks',
  'ClipOptions', 'ColumnOptions',
  'CompileOptions', 'CsvDataset', 'CsvDatasetOptions', 'CsvOptions', 'CsvTable', 'Dense', 'DenseConfig', 'Dropout', 'DropoutConfig',
  'Flatten', 'FlattenConfig', 'Layer', 'LeakyRelu', 'LeakyReluConfig',
  'EarlyStoppingOptions', 'FeatureSpec', 'FitOptions', 'GradientCheckOptions', 'History', 'InitializerName', 'Inputs', 'Label',
  'LabelEncoderJSON', 'Logs', 'LossName', 'MatrixLike', 'MinMaxOptions', 'MinMaxScalerJSON', 'MissingCell', 'ModelJSON',
  'NadamOptions', 'Optimizer', 'OptimizerName', 'Params', 'PerceptronOptions', 'RandomSearchOptions', 'ReadyOptions', 'RmspropOptions', 'Sample', 'Sampler', 'ScalerJSON', 'SearchResult', 'SequentialOptions', 'Shape',
  'SgdOptions', 'Space', 'Split', 'SplitOptions', 'SplitPart', 'SplitTargets', 'StandardScalerJSON', 'StopReason',
  'Targets', 'Task', 'Trial', 'TrialPlan',
  'CsvBatch', 'CsvStreamOptions', 'Dataset', 'DatasetBatch', 'DatasetElement', 'DatasetRow', 'DatasetSource', 'FitDatasetOptions',
];

type Namespace = 'callbacks' | 'io' | 'ops' | 'regularizers' | 'schedules' | 'search';

const NAMESPACE_VALUES: Record<Namespace, string[]> = {
  callbacks: ['earlyStopping', 'targetLoss'],
  io: [
    'DEFAULT_TIMEOUT_MS', 'FORMAT', 'MAX_LAYERS', 'MAX_PARAMS', 'MODEL_FILE', 'ONNX_FILE', 'ONNX_INPUT', 'ONNX_OUTPUT', 'VERSION', 'WEIGHTS_FILE',
    'fromJSON', 'fromKeras', 'fromOnnx', 'fromTfjs', 'fromTfjsGraph', 'getPreprocessing', 'load', 'loadKeras', 'loadModel', 'loadOnnx', 'loadTfjs', 'save', 'saveModel', 'saveTfjs',
    'setPreprocessing', 'toJSON', 'toOnnx', 'toTfjs',
  ],
  ops: ['activation', 'activationGrad', 'matmul', 'softmax'],
  regularizers: ['REGULARIZERS', 'l1', 'l1l2', 'l2'],
  schedules: ['exponentialDecay', 'stepDecay'],
  search: ['choice', 'intRange', 'logUniform', 'randomSearch', 'uniform'],
};

const NAMESPACE_TYPES: Record<Namespace, string[]> = {
  callbacks: ['EarlyStoppingOptions'],
  io: [
    'AbortSignalLike', 'CompileJSON', 'LayerJSON', 'LoadOptions', 'ModelArtifacts', 'ModelArtifactsInput', 'ModelHeader', 'ModelJSON',
    'ModelManifest', 'ModelSource', 'ReadOptions', 'SaveOptions', 'TfjsArtifacts', 'TfjsModelJSON', 'TfjsWeightSpec', 'UrlLike',
    'WeightData', 'WeightsManifest',
  ],
  ops: ['ActivationOptions', 'MatmulOptions'],
  regularizers: ['L1L2Options', 'Regularizer'],
  schedules: ['BuiltInSchedule', 'ExponentialDecayConfig', 'ExponentialDecayOptions', 'LearningRate', 'Schedule', 'ScheduleConfig', 'StepDecayConfig', 'StepDecayOptions'],
  search: ['Params', 'RandomSearchOptions', 'Sampler', 'SearchResult', 'Space', 'Trial', 'TrialContext', 'TrialPlan'],
};

const sorted = (names: Iterable<string>) => [...names].sort();

// ——— reading declarations ———

/** The exported names of a .d.ts as tsup writes it: one `export { … }` at the end, namespaces as `declare namespace`. */
function declaredExports(dts: ts.SourceFile): { top: string[]; namespaces: Map<string, string[]> } {
  const exportsOf = (statements: readonly ts.Statement[]) => statements
    .filter((s): s is ts.ExportDeclaration => ts.isExportDeclaration(s) && !s.moduleSpecifier)
    .flatMap((s) => (s.exportClause && ts.isNamedExports(s.exportClause) ? [...s.exportClause.elements] : []));
  const modules = new Map(dts.statements.filter(ts.isModuleDeclaration).map((m) => [m.name.text, m]));
  const top = exportsOf(dts.statements);
  const namespaces = new Map<string, string[]>();
  for (const e of top) {
    const body = modules.get((e.propertyName ?? e.name).text)?.body;
    if (body && ts.isModuleBlock(body)) namespaces.set(e.name.text, exportsOf(body.statements).map((x) => x.name.text));
  }
  return { top: top.map((e) => e.name.text), namespaces };
}

const DECLARATIONS = new Set([
  ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.MethodSignature, ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.PropertySignature, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor,
]);

/** Every named declaration, as "Outer.member" inside classes and interfaces, else its own name. */
function declarations(file: ts.SourceFile, keep: (node: ts.Node) => boolean = () => true): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node, outer: string) => {
    const name = (node as { name?: ts.Node }).name;
    const text = name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
    if (text !== undefined && DECLARATIONS.has(node.kind) && keep(node)) names.add(outer ? `${outer}.${text}` : text);
    const container = ts.isClassLike(node) || ts.isInterfaceDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, container && text ? text : outer));
  };
  visit(file, '');
  return names;
}

const isInternal = (node: ts.Node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const parse = (path: string, text = readFileSync(path, 'utf8')) =>
  ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);

/** The declarations of the library entry, built with the repository's own tsup options, into a temp dir. */
async function buildDeclarations(outDir: string): Promise<string> {
  const configs = typeof tsupConfig === 'function' ? await tsupConfig({}) : tsupConfig;
  const library = (Array.isArray(configs) ? configs : [configs])[0] as Options;
  const dts = typeof library.dts === 'object' ? library.dts : {};
  await build({ ...library, outDir, clean: false, silent: true, dts: { ...dts, only: true } });
  return readFileSync(join(outDir, 'index.d.ts'), 'utf8');
}

// ——— the lists ———

describe('run-time exports', () => {
  it('nn holds exactly the public values', () => {
    expect(sorted(Object.keys(nn))).toEqual(sorted(VALUES));
  });

  it.each(Object.keys(NAMESPACE_VALUES) as Namespace[])('nn.%s holds exactly its public values', (ns) => {
    expect(sorted(Object.keys(nn[ns]))).toEqual(sorted(NAMESPACE_VALUES[ns]));
  });
});

describe('the published declarations', () => {
  let work = '';
  let dts: ts.SourceFile;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'nnwasm-api-'));
    dts = parse('index.d.ts', await buildDeclarations(work));
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('export exactly the public values and types', () => {
    expect(sorted(declaredExports(dts).top)).toEqual(sorted([...VALUES, ...TYPES]));
  });

  it.each(Object.keys(NAMESPACE_VALUES) as Namespace[])('declare exactly nn.%s\'s public values and types', (ns) => {
    const declared = declaredExports(dts).namespaces.get(ns);
    expect(declared && sorted(declared)).toEqual(sorted([...NAMESPACE_VALUES[ns], ...NAMESPACE_TYPES[ns]]));
  });

  it('hold nothing marked @internal in src', () => {
    const internal = new Set(sourceFiles(join(ROOT, 'src')).flatMap((f) => [...declarations(parse(f), isInternal)]));
    // The check would pass on an empty list: make sure the scan finds the members we know are internal.
    expect([...internal]).toEqual(expect.arrayContaining(['Sequential.snapshot', 'Sequential.trainingSession', 'Optimizer.apply']));
    const declared = declarations(dts);
    expect(declared.has('Sequential.predict')).toBe(true);
    expect([...internal].filter((name) => declared.has(name))).toEqual([]);
  });

  it('name none of the engine\'s internals (workspace, heap, kernels, backend)', () => {
    const declared = declarations(dts);
    expect(['Workspace', 'Heap', 'Core', 'Backend', 'Compiled', 'Loss'].filter((name) => declared.has(name))).toEqual([]);
  });
});

// ——— one name, one meaning ———

describe('names mean one thing', () => {
  const CSV = 'rooms,garden,price\n2,no,150\n3,yes,240\n4,yes,310\n';
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nnwasm-names-'));
    writeFileSync(join(dir, 'houses.csv'), CSV);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a name nn shares with a namespace is the same function', () => {
    expect(nn.fromJSON).toBe(nn.io.fromJSON);
    expect(nn.loadModel).toBe(nn.io.loadModel);
    expect(nn.randomSearch).toBe(nn.search.randomSearch);
  });

  it('readCsv reads a file and gives what parseCsv gives for its text', async () => {
    const fromFile = await nn.readCsv(join(dir, 'houses.csv'), { target: 'price' });
    const fromText = await nn.parseCsv(CSV, { target: 'price' });
    expect(fromFile.featureNames).toEqual(['rooms', 'garden=no', 'garden=yes']);
    expect(fromFile.y).toEqual([150, 240, 310]);
    expect(Array.from(fromFile.x.data)).toEqual(Array.from(fromText.x.data));
  });

  it('readCsv names the file in its errors, and refuses CSV text with a pointer to parseCsv', async () => {
    await expect(nn.readCsv(join(dir, 'houses.csv'), { target: 'cost' })).rejects.toThrow(/houses\.csv: no column named "cost"/);
    await expect(nn.readCsv(join(dir, 'nowhere.csv'))).rejects.toThrow(nn.ValueError);
    await expect(nn.readCsv(join(dir, 'nowhere.csv'))).rejects.toThrow(/readCsv: cannot read .*nowhere\.csv/);
    await expect(nn.readCsv(CSV)).rejects.toThrow(nn.ConfigError);
    await expect(nn.readCsv(CSV)).rejects.toThrow(/expected a file path, got CSV text; .*nn\.parseCsv/);
  });

  it('readCsv outside Node is a ConfigError pointing to parseCsv, raised before any file is read', async () => {
    const versions = process.versions;
    Object.defineProperty(process, 'versions', { value: { ...versions, node: undefined }, configurable: true });
    let call: Promise<unknown>;
    try {
      call = nn.readCsv(join(dir, 'houses.csv'));
    } finally {
      Object.defineProperty(process, 'versions', { value: versions, configurable: true });
    }
    await expect(call).rejects.toThrow(nn.ConfigError);
    await expect(call).rejects.toThrow(/needs Node; in a browser, fetch the text and give it to nn\.parseCsv/);
  });

  it('parseCsv and parseCsvTable take text, and refuse a file name with a pointer to readCsv', async () => {
    for (const parse of [nn.parseCsv, nn.parseCsvTable]) {
      await expect(parse('iris.csv')).rejects.toThrow(nn.ConfigError);
      await expect(parse('iris.csv')).rejects.toThrow(/looks like a file path, "iris\.csv"; read files with nn\.readCsv/);
    }
    expect((await nn.parseCsvTable(CSV)).columns).toEqual(['rooms', 'garden', 'price']);
  });

  it('fromJSON loads JSON synchronously; loadModel is async and refuses JSON text with a pointer to fromJSON', async () => {
    const model = nn.sequential([{ units: 2, inputDim: 3 }], { seed: 4 });
    const text = JSON.stringify(model);
    const copy = nn.fromJSON(text);
    expect(Array.from(copy.predict([[1, 2, 3]]).data)).toEqual(Array.from(model.predict([[1, 2, 3]]).data));
    const loading = nn.loadModel(text);
    expect(loading).toBeInstanceOf(Promise);
    await expect(loading).rejects.toThrow(nn.ConfigError);
    await expect(nn.loadModel(text)).rejects.toThrow(/got JSON text; load model JSON with nn\.fromJSON/);
    [model, copy].forEach((m) => m.dispose());
  });

  it('fromTfjs given an nnwasm model says which loaders to use', () => {
    const model = nn.sequential([{ units: 1, inputDim: 1 }]);
    expect(() => nn.io.fromTfjs(model.toJSON() as never)).toThrow(/nn\.fromJSON \(its JSON\) or nn\.loadModel \(a folder or URL\)/);
    model.dispose();
  });
});
