"""Epoch time: hpsearch's training path vs a naive Keras pipeline, same data and model size.

    python -m tests.benchmarks.bench_epoch [--data fortunes.csv] [--rows 1500]

The naive pipeline (the one of a 30-class LSTM stuck at 76% tuned by hand-rolled random search)
pads every text to 3000 tokens (Keras' default pre-padding, no mask) and uses
recurrent dropout, which rules out the cuDNN kernel; hpsearch pads each length bucket to its own
longest text, right-padded and masked, without recurrent dropout. Both train one LSTM(100) over
an 80-dimensional embedding, batch size 100; the second epoch is timed (``_epoch.py``). On a
GPU, ``bench_gpu.py`` times this and more.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from tests.benchmarks._data import benchmark_data
from tests.benchmarks._epoch import LSTM_100, hpsearch_epoch, naive_epoch, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--rows", type=int, default=1500, help="rows to train on")
    parser.add_argument("--naive-len", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prepared, task, n_out = prepare(benchmark_data(args.data, Path(tmp)), args.rows)
    ours = hpsearch_epoch(LSTM_100, prepared, task, n_out)
    naive = naive_epoch(prepared, n_out, args.naive_len)
    lengths = prepared.train.words.lengths
    print(f"{ours.rows} rows, {n_out} classes, median {int(np.median(lengths))} tokens, "
          f"hpsearch cut at {prepared.vectorizer.max_len}")
    print("| pipeline | epoch seconds | rows/s |")
    print("|---|---:|---:|")
    print(f"| naive ({args.naive_len} tokens, recurrent dropout) | {naive.seconds:.1f} | "
          f"{naive.rows_per_s:.0f} |")
    print(f"| hpsearch (bucketed, masked, cuDNN-eligible) | {ours.seconds:.1f} | "
          f"{ours.rows_per_s:.0f} |")
    print(f"speed-up: {naive.seconds / ours.seconds:.1f}x")


if __name__ == "__main__":
    main()
