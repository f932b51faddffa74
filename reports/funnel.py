"""Fair comparison of communities: funnel-plot limits and direct age–sex standardisation.

Plain functions on counts; no database. reports.summary feeds them.

Funnel plot (Spiegelhalter 2005, Stat Med 24:1185): around the reach's overall rate p0, the
control limits for a community of n respondents are p0 ± z·√(p0(1−p0)/n), clipped to 0–1, with
z = 1.96 (95 %, an "alert") and z = 3.09 (99.8 %, an "alarm"). A rate exactly on a limit is
inside. `signal` is "above"/"below" when the rate is outside the 95 % limits, else None; `level`
says the widest limits it is outside of: "99.8" or "95" (None when inside).

Direct standardisation: the standard population is the reach's registered active residents in
ten-year age bands (0–9, …, 70–79, 80+) by sex, age as of the period's end. A community's
standardised rate is Σ wᵢ·pᵢ over the strata where it has respondents, the weights wᵢ being the
standard population's shares re-normalised over those strata (strata where the community has
nobody are left out and the rate is flagged `partial`, with `coverage` the standard share
covered). Interval: Wilson's score interval at the effective sample size
n_eff = 1 / Σ wᵢ²/nᵢ (the n for which a simple proportion has the weighted mean's variance
when the strata share one rate), so it stays inside 0–1 and never collapses to a point when
every stratum answered alike. When the weights equal the sample's own shares, n_eff = Σ nᵢ and
the interval is the crude one.

Which to use: quote the crude rate upward (it is what was counted); compare communities with the
standardised one (it removes the difference in age and sex make-up).
"""

import math

from healthedu.surveys.rates import DIGITS, wilson_interval

Z_LIMITS = {"95": 1.959963984540054, "99.8": 3.090232306167813}
BAND_WIDTH = 10
TOP_BAND = 80  # 80 and over is one band


def age_band(age: int) -> int:
    """Lower bound of the ten-year band: 0, 10, …, 80 (80+)."""
    return min(max(int(age), 0) // BAND_WIDTH * BAND_WIDTH, TOP_BAND)


def funnel_limits(p0: float, n: int) -> dict:
    """{"95": [lo, hi], "99.8": [lo, hi]} around p0 for n respondents (n > 0), clipped to 0–1."""
    if n <= 0:
        raise ValueError("n must be positive")
    spread = math.sqrt(p0 * (1 - p0) / n)
    return {
        level: [round(max(0.0, p0 - z * spread), DIGITS), round(min(1.0, p0 + z * spread), DIGITS)]
        for level, z in Z_LIMITS.items()
    }


def funnel_point(p0: float | None, numerator: int, denominator: int) -> dict | None:
    """The funnel block of one community's rate; None without respondents or without a p0."""
    if not denominator or p0 is None:
        return None
    limits = funnel_limits(p0, denominator)
    rate = numerator / denominator
    signal = level = None
    # Compare with the rounded limits that are shown, so the words agree with the figures.
    for name in ("95", "99.8"):
        low, high = limits[name]
        if rate < low or rate > high:
            signal, level = ("above" if rate > high else "below"), name
    return {"expected": round(p0, DIGITS), "limits": limits, "signal": signal, "level": level}


def standardised_rate(strata: dict, standard: dict) -> dict:
    """Directly standardised rate of one community.

    strata: {(sex, band): (numerator, denominator)} of the community's respondents;
    standard: {(sex, band): persons} of the standard population.
    → {"rate", "ci_low", "ci_high", "coverage", "partial"}; the figures are None when no
    stratum with standard weight has respondents.
    """
    total = sum(standard.values())
    present = {k: v for k, v in strata.items() if v[1] > 0 and standard.get(k, 0) > 0}
    covered = sum(standard[k] for k in present)
    empty = {"rate": None, "ci_low": None, "ci_high": None, "coverage": 0.0, "partial": False}
    if not total or not covered:
        return empty
    rate = 0.0
    inverse_n = 0.0
    for key, (numerator, denominator) in present.items():
        weight = standard[key] / covered
        rate += weight * numerator / denominator
        inverse_n += weight * weight / denominator
    n_eff = 1 / inverse_n
    low, high = wilson_interval(rate * n_eff, n_eff)
    coverage = covered / total
    return {
        "rate": round(rate, DIGITS),
        "ci_low": round(low, DIGITS),
        "ci_high": round(high, DIGITS),
        "coverage": round(coverage, DIGITS),
        "partial": coverage < 1,
    }


def signal_text(funnel: dict | None) -> str:
    """The funnel signal in words: 高于预期（超出 99.8% 控制限）, or "" inside the limits."""
    from django.utils.translation import gettext as _

    if not funnel or not funnel["signal"]:
        return ""
    side = _("Above expected") if funnel["signal"] == "above" else _("Below expected")
    return _("%(side)s (outside the %(level)s%% control limits)") % {
        "side": side,
        "level": funnel["level"],
    }


def compared_with_text(compared: dict, kind: str) -> str:
    """What a funnel plot compares with, in words, the same on the page and in the PDF: a
    community alone is compared with its street (reports.summary.funnel_reference); "" when
    the communities are compared with each other (the chart's legend says so)."""
    from django.utils.translation import gettext as _

    from reports import formatting

    if compared["scope"] != "street":
        return ""
    return _(
        "Compared with its street: the line is the overall rate of %(street)s over its "
        "%(count)s communities in your reach (%(rate)s)."
    ) % {
        "street": compared["place"] or _("the street"),
        "count": compared["communities"],
        "rate": formatting.rate(compared[kind]),
    }


def reading_note() -> str:
    """Which figure to use for what, said the same way on the page, in the PDF and workbook."""
    from django.utils.translation import gettext as _

    return _(
        "Quote the crude rate upward: it is what was counted. Compare communities with the "
        "age- and sex-standardised rate: it takes out the difference in who lives there. A "
        "community outside the funnel's 95% limits is worth a look (an alert); outside the "
        "99.8% limits, a closer one (an alarm)."
    )
