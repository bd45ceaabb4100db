"""The keys every family shares: the dense head, the optimiser, class weights and the loss."""

from __future__ import annotations

from spaces.keys._params import Choice, FloatRange, IntRange, Key

# A family whose network ends in a dense head samples these (see Family.sample_head).
HEAD_KEYS: dict[str, Key] = {
    "dropout": Key("float", FloatRange(0.0, 0.5), (0.0, 0.9), help="dropout between layers"),
    "dense_layers": Key("int", IntRange(0, 4), (0, 8)),
    "dense_units": Key("int", IntRange(16, 512, log=True), (1, 4096)),
}

# A family trained by Keras, epoch by epoch, samples these.
OPTIMISER_KEYS: dict[str, Key] = {
    "learning_rate": Key("float", FloatRange(1e-4, 0.3, log=True), (1e-6, 1.0),
                         help="Adam's step; n-gram models like 3e-3, recurrent ones 1e-3"),
    "batch_size": Key("choice", Choice((32, 64, 128, 256, 512, 1024)),
                      allowed=(8, 16, 32, 64, 128, 256, 512, 1024)),
}

# Every family samples these.
WEIGHT_KEYS: dict[str, Key] = {
    "class_weight": Key("choice", Choice(("none", "balanced", "softened")),
                        allowed=("none", "balanced", "softened"),
                        help="per-class weights (single-label) or per-label positive weights "
                             "(multi-label); softened = balanced ** power"),
    "class_weight_power": Key("float", FloatRange(0.2, 0.8), (0.0, 1.0)),
}

# A family trained by Keras samples its loss; the head and loss always follow the task.
LOSS_KEYS: dict[str, Key] = {
    "loss": Key("choice", Choice(("crossentropy",)),
                allowed=("crossentropy", "focal", "top_k", "binary_crossentropy",
                         "categorical_crossentropy", "sparse_categorical_crossentropy"),
                help="focal and top_k (the loss on the k hardest examples of each batch) "
                     "are opt-in"),
    "focal_gamma": Key("float", FloatRange(1.0, 3.0), (0.0, 10.0)),
    "top_k": Key("choice", Choice((16,)), allowed=(4, 8, 16, 32, 64, 128)),
    "output_activation": Key("choice", Choice(("auto",)),
                             allowed=("auto", "softmax", "sigmoid"),
                             help="'auto' picks the one that fits the task; others are checked"),
}
