"""One trial as a standalone training script that needs no hpsearch.

The script is this package's ``_script_main.py`` with the modules it uses (``INLINED``) copied
in above it; they are read as files, never imported, so exporting starts without TensorFlow.
May import ``search.study``.
"""

from search.export._export import INLINED, export_script, script_source

__all__ = ["INLINED", "export_script", "script_source"]
