"""A trial as a standalone training script."""
