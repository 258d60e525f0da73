"""docs/reliability.md: every case names a test that exists, and the file is what the generator makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_reliability_catalog_is_current_and_names_real_tests() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "reliability_cases.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    rows = [l for l in text.splitlines() if l.startswith("| ") and "`tests/" in l]
    assert len(rows) >= 110
    assert sum(" **15** |" in l for l in rows) >= 20
