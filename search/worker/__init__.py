"""Running trials: the objective, the worker loop, signals, progress, launching."""
