"""Keep jsonschema's optional IRI checker out of research-kit's own processes.

``import nbformat`` takes about 1.7 s here, 1.5 s of which is ``rfc3987_syntax``:
jsonschema imports it at start-up for its optional ``"iri"`` format checker, and it
compiles 38 lark grammars on import. nbformat's notebook schema has no ``"iri"``
field, so the research-kit command and its local worker processes do without
that checker: jsonschema imports it under ``suppress(ImportError)``, and an entry
of None in :data:`sys.modules` makes that import fail. Nothing changes once
jsonschema is loaded, nor in any other process (JupyterLab, user kernels).
"""

from __future__ import annotations

import sys

__all__ = ["skip_iri_grammars"]


def skip_iri_grammars() -> None:
    """Make jsonschema skip its ``"iri"`` format checker in this process (before it is first imported)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
