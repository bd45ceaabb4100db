"""The order a trial draws its training rows in, each epoch. Numpy only: the exported script
prints this very function."""

from __future__ import annotations

import numpy as np

__all__ = ["batch_rows", "np"]


def batch_rows(n_rows, batch_size, rng, lengths=None, pool=32):
    """One epoch's batches of row indices: shuffled, and (given the rows' ``lengths``) sorted
    by length within pools of ``pool`` batches, so a batch holds texts of similar length."""
    order = rng.permutation(n_rows)
    if lengths is None:
        return [order[i:i + batch_size] for i in range(0, n_rows, batch_size)]
    step = pool * batch_size
    order = np.concatenate([part[np.argsort(lengths[part], kind="stable")]
                            for part in (order[i:i + step] for i in range(0, n_rows, step))])
    batches = [order[i:i + batch_size] for i in range(0, n_rows, batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]
