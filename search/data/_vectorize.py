"""Text to token ids, fitted on the training split only.

Standardization follows Keras ``TextVectorization`` defaults (lower-case, strip punctuation,
split on whitespace), so the exported script's vectorizer reads text the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD, OOV = 0, 1
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')


def tokenize(text: str) -> list[str]:
    return _PUNCTUATION.sub("", text.lower()).split()


def fit_vocabulary(token_lists: Iterable[Sequence[str]], max_tokens: int) -> list[str]:
    """The ``max_tokens - 2`` most frequent tokens (ids 0 and 1 are padding and unknown)."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    return [tok for tok, _ in counts.most_common(max(max_tokens - 2, 0))]


def encode(token_lists: Sequence[Sequence[str]], vocabulary: Sequence[str],
           max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Ragged ids as (flat values, row splits). Texts are cut at ``max_len`` tokens; a text
    with no tokens becomes one unknown token, so no row is fully masked."""
    index = {tok: i + 2 for i, tok in enumerate(vocabulary)}
    values: list[int] = []
    splits = [0]
    for tokens in token_lists:
        ids = [index.get(t, OOV) for t in tokens[:max_len]] or [OOV]
        values.extend(ids)
        splits.append(len(values))
    return np.asarray(values, dtype="int32"), np.asarray(splits, dtype="int64")


def length_percentiles(token_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    lengths = np.array([len(t) for t in token_lists] or [0])
    return {f"p{q}": int(np.percentile(lengths, q)) for q in (50, 90, 95, 99)} | {
        "max": int(lengths.max())
    }


def choose_max_len(percentiles: dict[str, int], cap: int = 512) -> int:
    """Sequence cut-off: the 95th percentile of training lengths, at least 8, at most ``cap``."""
    return int(min(max(percentiles["p95"], 8), cap))
