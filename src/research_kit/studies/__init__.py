"""Study-specific assembly: analysis panels, descriptive aggregates and paper text.

Each study module turns processed datasets into what its notebook shows, so the
notebook holds parameters, calls and narrative only.
"""

from research_kit.studies import fx_loans

__all__ = ["fx_loans"]
