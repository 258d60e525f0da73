"""JupyterLab helpers: check a notebook's parameters before a long run.

Right after a study notebook's ``parameters`` cell::

    %load_ext research_kit.lab
    %check_parameters fx_loans

or, without the magic, ``rk.lab.check_parameters("fx_loans", globals())``. The values in the
kernel are checked against the notebook's ``parameters`` cell exactly as ``research-kit run``
checks them (names, types, and the allowed values the cell declares with ``one of``), with
the same messages, so ``lang = "fr"`` stops before any data is loaded.

When the pipeline executes the notebook, its parameters were checked before the kernel
started, and the check returns at once.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

__all__ = ["check_parameters", "load_ipython_extension"]

# The pipeline sets this in the kernels it starts (research_kit.pipeline.batch): parameters were
# validated before execution.
_PIPELINE_ENV = "RESEARCH_KIT_COMMIT"


def check_parameters(study: str, namespace: Mapping[str, Any] | None = None, *,
                     root: str | os.PathLike[str] | None = None, force: bool = False) -> dict[str, Any]:
    """Validate the parameter values in ``namespace`` against the study notebook's ``parameters`` cell.

    Parameters
    ----------
    study : str
        Study name in ``studies.yaml`` (e.g. ``"fx_loans"``).
    namespace : mapping, optional
        Where the parameter values live; default: the running IPython kernel's user namespace.
    root : path, optional
        Project root (default: this checkout).
    force : bool
        Check even inside a pipeline run (where ``research-kit run`` already checked).

    Returns
    -------
    dict
        The validated parameters (an int accepted for a float parameter becomes a float).

    Raises
    ------
    research_kit.pipeline.ParameterError
        A name unknown to the notebook, a missing value, a wrong type, or a value outside the
        declared allowed values; the message is the one ``research-kit run`` prints.

    Examples
    --------
    >>> check_parameters("fx_loans", {"lang": "fr"}, force=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    research_kit.pipeline.study_config.ParameterError: fx_loans (parameters cell): parameter 'lang' must be one of 'zh', 'en' ...
    """
    from research_kit.pipeline.study_config import ParameterError, study_parameters, validate_parameters

    if namespace is None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            raise ParameterError("check_parameters() outside a Jupyter kernel needs the namespace: "
                                 "check_parameters(study, globals()).")
        namespace = shell.user_ns
    if _PIPELINE_ENV in os.environ and not force:
        return {}
    _, declared = study_parameters(study, root)
    params = {name: namespace[name] for name in declared if name in namespace}
    if not params:
        raise ParameterError(f"{study} (parameters cell): none of {sorted(declared)} is defined; "
                             "run the parameters cell first.")
    return validate_parameters(params, declared, where=f"{study} (parameters cell)")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext research_kit.lab`` registers the ``%check_parameters STUDY`` line magic."""

    def _magic(line: str) -> None:
        study = line.strip()
        if not study:
            raise ValueError("usage: %check_parameters STUDY (a study name of studies.yaml)")
        params = check_parameters(study, ipython.user_ns)
        if params:
            print(f"{study}: {len(params)} parameters checked against the parameters cell")

    ipython.register_magic_function(_magic, "line", "check_parameters")
