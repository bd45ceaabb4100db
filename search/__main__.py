"""``python -m search``: the ``hpsearch`` command (how ``hpsearch launch`` starts its workers)."""

from search.cli import main

# Guarded: a process spawned by this one (the baseline's) imports this module, and must not
# run the command again.
if __name__ == "__main__":
    main()
