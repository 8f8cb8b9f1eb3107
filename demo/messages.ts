// What the page and the training worker say to each other. Data goes as
// transferred ArrayBuffers (moved, not copied), and progress is batched: a
// few messages an epoch (worker.ts), however many steps that was.

export interface TrainRequest {
  type: 'train';
  /** digits.ts format, transferred. */
  train: ArrayBuffer;
  /** Held-out digits (digits.ts format) scored after every epoch, transferred. */
  test: ArrayBuffer;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export type ToWorker = TrainRequest | { type: 'stop' };

export type FromWorker =
  /** points: (samples seen, batch loss, batch accuracy) triples since the last progress message. */
  | { type: 'progress'; points: Float32Array }
  | { type: 'epoch'; epoch: number; loss: number; accuracy: number; testLoss: number; testAccuracy: number; samplesPerSecond: number }
  /** The trained model in the native binary form (nn.io.save): header, and the weights transferred. */
  | { type: 'done'; json: unknown; weights: ArrayBuffer; stopped: boolean; epochs: number; seconds: number }
  | { type: 'error'; message: string };
