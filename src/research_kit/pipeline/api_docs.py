"""The API reference of ``research_kit`` in the site (``reports/_site/api/``), generated from the docstrings.

pdoc renders every public module (numpydoc sections: Parameters, Returns, References, Examples) into
static HTML with its own local search; nothing refers to a host (checked with the same
:func:`~research_kit.pipeline._offline.find_external_references` as the papers). The pages are made
again only when the package's source changed (a stamp holds the source hash), in a temporary folder
that replaces ``api/`` in one step.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from research_kit import paths

__all__ = ["write_api_docs"]

_STAMP = ".source-hash"


def write_api_docs(root: str | os.PathLike[str] | None = None, *, force: bool = False) -> Path:
    """Write (or keep, when the source did not change) ``reports/_site/api/``; return its folder."""
    from research_kit.pipeline._offline import find_external_references
    from research_kit.pipeline.hashing import source_tree_hash

    site = paths.site_dir(root)
    out = site / "api"
    digest = source_tree_hash()
    stamp = out / _STAMP
    if not force and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest:
        return out
    import warnings

    import pdoc
    import pdoc.render

    site.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".api-", dir=site))
    try:
        pdoc.render.configure(docformat="numpy", search=True, show_source=False,
                              footer_text="research_kit API reference")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pdoc.pdoc("research_kit", output_directory=tmp)
        problems: list[str] = []
        for page in tmp.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            text = re.sub(r'<a class="attribution"[^>]*href="https?://pdoc\.dev"[^>]*>.*?</a>', "", text, flags=re.S)
            page.write_text(text, encoding="utf-8")
            problems += [f"{page.name}: {ref}" for ref in find_external_references(text)]
        if problems:
            raise RuntimeError("API reference refers to hosts (the intranet has no internet): "
                               + "; ".join(problems[:5]))
        (tmp / _STAMP).write_text(digest, encoding="utf-8")
        old = site / f".api-old-{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
