"""Fitting one configuration (the TensorFlow side)."""
