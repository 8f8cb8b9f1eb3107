"""PyTorch (CPU) on the native-anchor workloads of the Node bench (bench/native.ts).

Run as a child process: python3 bench/peers/torch_bench.py DIR THREADS QUICK
DIR holds the inputs bench/native.ts wrote (raw little-endian arrays) and
spec.json naming them; the result is one JSON object on stdout. Each
workload starts from nnwasm's initial weights, trains with SGD 0.1 on
cross-entropy (softmax folded in, as nnwasm and Keras do) over the rows in
order, and predicts softmax probabilities from float32 arrays in to float32
arrays out. Inference runs first, then training, so the process's peak
resident memory after each is that phase's. Timing follows bench/harness.ts: calls per second from the mean
of the samples, and the relative margin of error at 95 %.
"""

import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch


def read(directory, name, dtype, shape):
    return np.fromfile(os.path.join(directory, name), dtype=dtype).reshape(shape)


def network(sizes, weights):
    """nn.Sequential of Linear/ReLU from nnwasm's Keras-order weights (kernel [in x out], bias)."""
    layers = []
    at = 0
    for i in range(1, len(sizes)):
        inputs, units = sizes[i - 1], sizes[i]
        linear = torch.nn.Linear(inputs, units)
        kernel = weights[at:at + inputs * units].reshape(inputs, units)
        at += inputs * units
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(kernel.T.copy()))
            linear.bias.copy_(torch.from_numpy(weights[at:at + units].copy()))
        at += units
        layers.append(linear)
        if i < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
    assert at == weights.size, f"expected {at} weights for {sizes}, got {weights.size}"
    return torch.nn.Sequential(*layers)


def statistics(seconds_per_call):
    """hz and rme as benchmark.js gives them: mean of the samples, margin of error at 95 % (normal quantile)."""
    n = len(seconds_per_call)
    mean = sum(seconds_per_call) / n
    sem = math.sqrt(sum((s - mean) ** 2 for s in seconds_per_call) / (n - 1)) / math.sqrt(n) if n > 1 else 0.0
    return {"hz": 1.0 / mean, "rme": 100.0 * 1.96 * sem / mean, "samples": n}


def timed(call, min_samples, max_time, min_time):
    """Samples of `call` repeated until each sample lasts min_time; at least min_samples, until max_time has passed."""
    call()
    count = 1
    while True:  # calls per sample, as benchmark.js calibrates them
        start = time.perf_counter()
        for _ in range(count):
            call()
        if time.perf_counter() - start >= min_time:
            break
        count *= 2
    samples = []
    began = time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - began < max_time:
        start = time.perf_counter()
        for _ in range(count):
            call()
        samples.append((time.perf_counter() - start) / count)
    return statistics(samples)


def trainer(sizes, weights, x, labels, batch, learning_rate):
    model = network(sizes, weights)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ys = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))

    def epoch():
        for start in range(0, xs.shape[0], batch):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[start:start + batch]), ys[start:start + batch])
            loss.backward()
            optimizer.step()

    return model, epoch


def predictor(model):
    def predict(x):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(x)), dim=1).numpy()
    return predict


def peak_rss():
    """The process's peak resident memory so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    directory, threads, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    spec = json.load(open(os.path.join(directory, "spec.json")))
    cols, rows = spec["inputs"], spec["rows"]
    quick_timing = {"min_samples": 1, "max_time": 0.001, "min_time": 0.001}
    epoch_timing = quick_timing if quick else {"min_samples": 5, "max_time": 5, "min_time": 0}
    predict_timing = quick_timing if quick else {"min_samples": 20, "max_time": 2, "min_time": 0.05}
    bulk_timing = quick_timing if quick else {"min_samples": 5, "max_time": 2, "min_time": 0.05}

    data = {
        "digits": (read(directory, "digits-x.f32", np.float32, (rows, cols)), read(directory, "digits-labels.i32", np.int32, (rows,))),
        "dense": (read(directory, "dense-x.f32", np.float32, (rows, cols)), read(directory, "dense-labels.i32", np.int32, (rows,))),
    }
    results = {}
    memory = {"baseline": peak_rss()}
    # Inference: the 784-128-10 network from its initial weights (the speed does not depend on the values).
    model = network(spec["predict"]["sizes"], read(directory, spec["predict"]["weights"], np.float32, (-1,)))
    model.eval()
    predict = predictor(model)
    many = read(directory, "predict-x.f32", np.float32, (-1, cols))
    one = many[:1].copy()
    probabilities = predict(many[:spec["checkRows"]])
    results["predict-1"] = timed(lambda: predict(one), **predict_timing)
    results["predict-1000"] = timed(lambda: predict(many), **bulk_timing)

    memory["inference"] = peak_rss()
    for name, workload in spec["epochs"].items():
        weights = read(directory, workload["weights"], np.float32, (-1,))
        x, labels = data[workload["data"]]
        _, epoch = trainer(workload["sizes"], weights, x, labels, workload["batch"], spec["learningRate"])
        results[name] = timed(epoch, **epoch_timing)

    memory["training"] = peak_rss()
    about = f"PyTorch {torch.__version__} (CPU, {blas()}), {torch.get_num_threads()} thread(s), Python {sys.version.split()[0]}"
    json.dump({"about": about, "threads": torch.get_num_threads(), "results": results, "memory": memory, "check": probabilities.ravel().tolist()}, sys.stdout)


def blas():
    """The BLAS library this process loaded: Debian's python3-torch takes whichever the alternatives
    point to, and its reference BLAS runs the epochs about 10x slower than OpenBLAS."""
    with open("/proc/self/maps") as maps:
        names = {line.split("/")[-1].strip() for line in maps if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(names)) or "BLAS unknown"


if __name__ == "__main__":
    main()
