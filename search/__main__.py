"""``python -m search``: the ``hpsearch`` command (how ``hpsearch launch`` starts its workers)."""

from search.cli import main

main()
