"""The indicator register: the plan's targets and milestones and the exchange-rate table.

Three files in ``data/targets/`` define every indicator a department files
(see ``data/targets/README.md``):

* ``targets_2025.csv`` — the quantitative 2025 targets, one row each, with the
  unit a filing uses (``filing_unit``), the largest plausible filed value
  (``max_filed``), whether each county files its own row (``county_level``) and
  the definition a filing follows (``definition_zh`` = the template's 口径);
* ``milestones.csv`` — the dated milestones (``event``: a date or 是/否;
  ``threshold``: an amount that must reach ``threshold`` by the deadline);
* ``fx_rates.csv`` — CNY per USD by month (monthly average and month end), with
  its source; used to convert a filing made in the other currency.

Unit conversion (:func:`convert_value`): within one dimension by powers of ten
(元/万元/亿元/万亿元, 美元/万美元/亿美元, 户/万户); CNY ↔ USD only through
``fx_rates.csv`` — the month-end rate for stocks, the average of the monthly
averages of the reporting quarter for flows; anything else is an error.

Examples
--------
>>> from research_kit.data.indicators import convert_value
>>> convert_value(12_500.0, "万元", "亿元")
(1.25, '12500 万元 = 1.25 亿元 (÷ 10,000)')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from research_kit import paths

__all__ = [
    "Definitions",
    "UnitError",
    "convert_value",
    "definitions_files",
    "load_definitions",
    "unit_choices",
]

#: unit -> (dimension, factor in the dimension's base unit)
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "元": ("CNY", 1.0), "千元": ("CNY", 1e3), "万元": ("CNY", 1e4), "百万元": ("CNY", 1e6), "亿元": ("CNY", 1e8),
    "万亿元": ("CNY", 1e12),
    "美元": ("USD", 1.0), "千美元": ("USD", 1e3), "万美元": ("USD", 1e4), "百万美元": ("USD", 1e6), "亿美元": ("USD", 1e8),
    "户": ("accounts", 1.0), "万户": ("accounts", 1e4),
    "家": ("firms", 1.0),
    "%": ("percent", 1.0),
}
#: Units offered in the template's drop-down list.
UNIT_CHOICES = ("元", "万元", "亿元", "万亿元", "美元", "万美元", "亿美元", "户", "万户", "家", "%")
MILESTONE_UNIT = "日期或是/否"


class UnitError(ValueError):
    """A filed unit that cannot be converted to the declared one."""


def definitions_files(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The three definition files (inputs of ``prepare`` for the indicator filings)."""
    folder = paths.data_dir(root) / "targets"
    return [folder / "targets_2025.csv", folder / "milestones.csv", folder / "fx_rates.csv"]


@dataclass(frozen=True)
class Definitions:
    """The indicator register.

    Attributes
    ----------
    targets
        ``targets_2025.csv``, indexed by ``id`` (``max_filed`` float, ``county_level`` bool).
    milestones
        ``milestones.csv``, indexed by ``id`` (``threshold`` float or NaN).
    fx_rates
        ``fx_rates.csv``, indexed by month (``pandas.Period``).
    """

    targets: pd.DataFrame
    milestones: pd.DataFrame
    fx_rates: pd.DataFrame

    @property
    def ids(self) -> list[str]:
        return list(self.targets.index) + list(self.milestones.index)

    def is_milestone(self, key: str) -> bool:
        return key in self.milestones.index

    def register(self) -> pd.DataFrame:
        """One row per indicator (targets, then milestones): id, type, name_zh, name_en, lead, responsible,
        deadline, unit (the unit a filing uses), definition_zh, county_level."""
        t = self.targets
        rows = pd.DataFrame({
            "id": t.index, "type": "target", "name_zh": t["indicator_zh"], "name_en": t["indicator_en"],
            "lead": t["lead"], "responsible": t["responsible"], "task": t["task"], "deadline": t["deadline"],
            "unit": t["filing_unit"], "definition_zh": t["definition_zh"], "definition_en": t["definition_en"],
            "county_level": t["county_level"],
        })
        m = self.milestones
        ms = pd.DataFrame({
            "id": m.index, "type": "milestone", "name_zh": m["milestone_zh"], "name_en": m["milestone_en"],
            "lead": m["lead"], "responsible": m["responsible"], "task": m["task"], "deadline": m["deadline"],
            "unit": [u if k == "threshold" else MILESTONE_UNIT for k, u in zip(m["kind"], m["unit"])],
            "definition_zh": [f"{z}（数值：{'年度金额' if k == 'threshold' else '完成日期，或 是/否'}）"
                              for z, k in zip(m["milestone_zh"], m["kind"])],
            "definition_en": m["milestone_en"], "county_level": False,
        })
        return pd.concat([rows, ms], ignore_index=True)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"indicator definitions not found: {path}; it ships with the project (data/targets/).")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_definitions(root: str | os.PathLike[str] | None = None) -> Definitions:
    """Read ``data/targets/targets_2025.csv``, ``milestones.csv`` and ``fx_rates.csv``.

    Examples
    --------
    >>> d = load_definitions()
    >>> d.targets.loc["fx_loans_individual", "kind"], d.milestones.loc["cash_pool_pilot", "deadline"]
    ('cumulative', '2023-12')
    """
    tf, mf, rf = definitions_files(root)
    t = _read(tf).set_index("id", drop=False)
    t.index.name = None
    t["max_filed"] = pd.to_numeric(t["max_filed"])
    t["target"] = pd.to_numeric(t["target"])
    t["county_level"] = t["county_level"].eq("是")
    bad = sorted(set(t["filing_unit"]) - set(UNIT_FACTORS))
    if bad:
        raise ValueError(f"{tf}: filing_unit {bad} unknown; expected one of {', '.join(UNIT_FACTORS)}.")
    m = _read(mf).set_index("id", drop=False)
    m.index.name = None
    m["threshold"] = pd.to_numeric(m["threshold"].replace("", None))
    both = sorted(set(t.index) & set(m.index))
    if both:
        raise ValueError(f"ids {both} appear in both {tf.name} and {mf.name}; an indicator is a target or a milestone.")
    r = _read(rf)
    r.index = pd.PeriodIndex(r["period"], freq="M")
    r["avg_cny_per_usd"] = pd.to_numeric(r["avg_cny_per_usd"])
    r["end_cny_per_usd"] = pd.to_numeric(r["end_cny_per_usd"])
    return Definitions(targets=t, milestones=m, fx_rates=r)


def unit_choices() -> tuple[str, ...]:
    return UNIT_CHOICES


def _fmt(x: float) -> str:
    return f"{x:,.6g}".replace(",", "") if abs(x) < 1e6 else f"{x:.6g}"


def convert_value(value: float, unit: str, to: str, *, period: pd.Period | None = None, flow: bool = False,
                  rates: pd.DataFrame | None = None) -> tuple[float, str]:
    """Convert ``value`` from ``unit`` to ``to``; return the value and the conversion as text ('' if none).

    Parameters
    ----------
    value, unit, to
        The filed number, its unit and the declared unit.
    period
        Reporting month (needed for CNY ↔ USD).
    flow
        Flows use the average rate of the reporting quarter, stocks the month-end rate.
    rates
        ``Definitions.fx_rates``.

    Raises
    ------
    UnitError
        Unknown unit, another dimension, or CNY ↔ USD without a rate for ``period``.

    Examples
    --------
    >>> convert_value(3.0, "亿美元", "亿美元")
    (3.0, '')
    """
    unit, to = str(unit).strip(), str(to).strip()
    if unit == to:
        return float(value), ""
    if unit not in UNIT_FACTORS:
        raise UnitError(f"unknown unit {unit!r}; expected {to} or a unit convertible to it")
    (dim_from, f_from), (dim_to, f_to) = UNIT_FACTORS[unit], UNIT_FACTORS[to]
    if dim_from == dim_to:
        out = value * f_from / f_to
        ratio = f_to / f_from
        how = f"÷ {ratio:,.0f}" if ratio >= 1 else f"× {1 / ratio:,.0f}"
        return out, f"{_fmt(value)} {unit} = {_fmt(out)} {to} ({how})"
    if {dim_from, dim_to} == {"CNY", "USD"}:
        if rates is None or period is None or period not in rates.index:
            raise UnitError(f"no CNY/USD rate for {period} in data/targets/fx_rates.csv to convert {unit} to {to}")
        if flow:
            months = pd.period_range(period - 2, period, freq="M")
            have = [m for m in months if m in rates.index]
            rate = float(rates.loc[have, "avg_cny_per_usd"].mean())
            what = f"average rate {months[0]}–{period}"
        else:
            rate = float(rates.loc[period, "end_cny_per_usd"])
            what = f"end-{period} rate"
        base = value * f_from
        base = base / rate if dim_from == "CNY" else base * rate
        out = base / f_to
        return out, f"{_fmt(value)} {unit} = {_fmt(out)} {to} at {rate:.4f} CNY/USD ({what}, exchange-rate table)"
    raise UnitError(f"unit {unit!r} cannot be converted to {to!r} (different quantities)")
