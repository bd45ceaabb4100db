"""The bag of n-grams several families read: its keys, how they are sampled, its input in a
network's code, and how a description names it."""

from __future__ import annotations

from typing import Any

from spaces.families._base import Pick
from spaces.families._code import Code, Dims
from spaces.features import CHAR_RANGES, MAX_NGRAMS, BagSetting
from spaces.keys import Choice, IntRange, Key

BAG_KEYS: dict[str, Key] = {
    "ngram_order": Key("choice", Choice((1, 2, 3)), allowed=(1, 2, 3),
                       help="longest word n-gram: 1 words, 2 words and pairs, 3 up to triples"),
    "ngram_vocab": Key("int", IntRange(10_000, MAX_NGRAMS, log=True), (100, MAX_NGRAMS),
                       help="word n-grams kept, those in most training texts first (capped by "
                            "those seen in at least two)"),
    "ngram_weighting": Key("choice", Choice(("binary", "count", "tfidf")),
                           allowed=("binary", "count", "tfidf"),
                           help="bag values (tfidf: (1 + ln count) x idf), then each part of "
                                "the bag scaled to unit length"),
    "chars": Key("choice", Choice((True, False)), allowed=(False, True),
                 help="a bag of character n-grams beside the words' (spelling, morphology, "
                      "typos, CJK text)"),
    "char_orders": Key("choice", Choice(CHAR_RANGES), allowed=CHAR_RANGES,
                       help="lengths of the character n-grams, shortest-longest"),
    "char_vocab": Key("int", IntRange(10_000, MAX_NGRAMS, log=True), (100, MAX_NGRAMS),
                      help="character n-grams kept, those in most training texts first"),
}


def sample_bag(pick: Pick, params: dict[str, Any], *, weighting: bool = True) -> None:
    params["ngram_order"] = pick("ngram_order")
    params["ngram_vocab"] = pick("ngram_vocab")
    if weighting:
        params["ngram_weighting"] = pick("ngram_weighting")
    params["chars"] = pick("chars")
    if params["chars"]:
        params["char_orders"] = pick("char_orders")
        params["char_vocab"] = pick("char_vocab")


def bag_setting(params: dict[str, Any], *, weighting: str | None = None,
                norm: str = "l2") -> BagSetting:
    """The bag of ``params``: the family's ``weighting`` and ``norm`` where it fixes them."""
    chars = bool(params.get("chars"))
    return BagSetting(order=params["ngram_order"], size=params["ngram_vocab"],
                      weighting=weighting or params["ngram_weighting"],
                      chars=params["char_orders"] if chars else None,
                      char_size=params["char_vocab"] if chars else 0, norm=norm)


def bag_input(code: Code, setting: BagSetting, dims: Dims) -> None:
    chars = (f" and character {setting.chars}-grams" if setting.chars else "")
    scale = "of unit length" if setting.norm == "l2" else "summing to 1"
    code(f"# The n-gram bag: word 1-{setting.order}-grams{chars}, {setting.weighting}, "
         f"each part {scale}; {dims.bag_width} columns.")
    code(f'ngrams = keras.Input(({dims.bag_width},), sparse=sparse, name="ngrams")')


def describe_bag(setting: BagSetting) -> str:
    """``tfidf words 1-2 (100,000) + chars 2-5 (50,000)``."""
    words = f"{setting.weighting} words 1-{setting.order} ({setting.size:,})"
    if setting.order == 1:
        words = f"{setting.weighting} words ({setting.size:,})"
    return words + (f" + chars {setting.chars} ({setting.char_size:,})" if setting.chars else "")
