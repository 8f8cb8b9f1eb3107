// How the page's "train in the browser" trains: a fresh 784-128-10 network,
// sparse categorical cross-entropy, plain SGD. The seed is fixed, so every run
// (and the same recipe in Node, as the tests check) gives the same weights.

export const TRAINING = { hidden: 128, batchSize: 32, learningRate: 0.1, seed: 2024 } as const;
