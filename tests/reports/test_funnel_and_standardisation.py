"""Funnel-plot limits and directly standardised rates, against values worked out by hand, and
their place in GET /api/reports/summary/."""

import datetime as dt

import pytest

from healthedu.surveys.rates import wilson_interval
from reports.funnel import age_band, funnel_limits, funnel_point, standardised_rate
from tests.factories import make_response, make_survey


@pytest.mark.parametrize(
    ("age", "band"), [(0, 0), (9, 0), (10, 10), (19, 10), (79, 70), (80, 80), (104, 80)]
)
def test_age_bands_are_ten_years_wide_with_80_and_over(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(
    ("p0", "n", "limits"),
    [
        # √(.5·.5/100) = .05; 1.96·.05 = .098; 3.0902·.05 = .15451
        (0.5, 100, {"95": [0.402, 0.598], "99.8": [0.3455, 0.6545]}),
        # √(.9·.1/25) = .06; .9 + .1176 and .9 + .1854 are clipped to 1
        (0.9, 25, {"95": [0.7824, 1.0], "99.8": [0.7146, 1.0]}),
        # √(.1·.9/4) = .15; .1 − .294 and .1 − .4635 are clipped to 0
        (0.1, 4, {"95": [0.0, 0.394], "99.8": [0.0, 0.5635]}),
        (0.0, 10, {"95": [0.0, 0.0], "99.8": [0.0, 0.0]}),
    ],
)
def test_funnel_limits_by_hand(p0, n, limits):
    assert funnel_limits(p0, n) == limits


@pytest.mark.parametrize(
    ("numerator", "signal", "level"),
    [
        (50, None, None),
        (59, None, None),  # .59 inside .402–.598
        (60, "above", "95"),  # .60 above .598, inside .6545
        (65, "above", "95"),
        (66, "above", "99.8"),  # .66 above .6545
        (41, None, None),
        (40, "below", "95"),
        (34, "below", "99.8"),  # .34 below .3455
    ],
)
def test_funnel_signal_names_the_side_and_the_widest_limit_crossed(numerator, signal, level):
    point = funnel_point(0.5, numerator, 100)
    assert point["expected"] == 0.5
    assert (point["signal"], point["level"]) == (signal, level)


def test_no_respondents_or_no_overall_rate_has_no_funnel():
    assert funnel_point(0.5, 0, 0) is None
    assert funnel_point(None, 0, 0) is None


def test_standardised_rate_by_hand():
    # Weights .75 (F 60–69) and .25 (M 60–69): .75·.8 + .25·.1 = .625.
    # n_eff = 1 / (.75²/10 + .25²/10) = 16; Wilson at p = .625, n = 16: .3864–.8152.
    standard = {("F", 60): 300, ("M", 60): 100}
    result = standardised_rate({("F", 60): (8, 10), ("M", 60): (1, 10)}, standard)
    assert result == {
        "rate": 0.625,
        "ci_low": 0.3864,
        "ci_high": 0.8152,
        "coverage": 1.0,
        "partial": False,
    }


def test_strata_without_respondents_are_left_out_and_flagged():
    standard = {("F", 60): 300, ("M", 60): 100, ("M", 0): 100}
    result = standardised_rate({("F", 60): (8, 10), ("M", 60): (1, 10)}, standard)
    assert (result["rate"], result["coverage"], result["partial"]) == (0.625, 0.8, True)


def test_weights_equal_to_the_sample_give_the_crude_rate_and_interval():
    standard = {("F", 30): 10, ("M", 30): 30}
    result = standardised_rate({("F", 30): (5, 10), ("M", 30): (15, 30)}, standard)
    low, high = wilson_interval(20, 40)
    assert result["rate"] == 0.5
    assert result["ci_low"] == pytest.approx(low, abs=1e-4)
    assert result["ci_high"] == pytest.approx(high, abs=1e-4)


@pytest.mark.parametrize(
    ("strata", "standard"),
    [
        ({}, {("F", 60): 10}),
        ({("F", 60): (1, 2)}, {}),
        ({("F", 60): (1, 2)}, {("M", 60): 10}),  # respondents only where the standard has none
        ({("F", 60): (0, 0)}, {("F", 60): 10}),
    ],
)
def test_standardised_rate_is_none_without_a_common_stratum(strata, standard):
    result = standardised_rate(strata, standard)
    assert result["rate"] is None and result["ci_low"] is None and result["ci_high"] is None


@pytest.mark.django_db
def test_summary_api_carries_funnel_and_standardised(api, leader, october, community_b):
    body = api(leader).get("/api/reports/summary/", {"street": "天虹街道", "year": 2026}).json()
    a, b = body["communities"]
    for kind in ("knowledge", "behavior"):
        funnel = a[kind]["funnel"]
        # B has no respondents, so the reach's rate is A's own: A sits on the expected line.
        assert funnel["expected"] == body[kind]["rate"]
        assert set(funnel["limits"]) == {"95", "99.8"}
        assert funnel["signal"] is None and funnel["level"] is None
        standardised = a[kind]["standardised"]
        assert standardised["ci_low"] <= standardised["rate"] <= standardised["ci_high"]
        assert b[kind]["funnel"] is None
        assert b[kind]["standardised"]["rate"] is None


@pytest.mark.django_db
def test_summary_api_names_an_outlying_community(api, leader, october, community_b, admin_user):
    from tests.factories import CommunityFactory, make_resident

    survey = make_survey(None, user=admin_user)
    day = dt.date(2026, 6, 1)
    # B: 20 women of 40, one aware; D: 60 residents, all aware. The reach's rate is about .75,
    # whose 99.8 % limits for 20 respondents start near .45: B is far below them.
    for i in range(20):
        resident = make_resident(community_b, age=40, sex="F", on=day)
        make_response(survey, resident, [0, 0, 0] if i == 0 else [1, 1, 1], on=day)
    community_d = CommunityFactory(code="D01", name="东风社区", street=community_b.street)
    for i in range(60):
        resident = make_resident(community_d, age=30 + i % 40, sex="MF"[i % 2], on=day)
        make_response(survey, resident, [0, 0, 0], on=day)
    body = api(leader).get("/api/reports/summary/", {"street": "天虹街道", "year": 2026}).json()
    b = next(c for c in body["communities"] if c["community"] == "B01")
    funnel = b["knowledge"]["funnel"]
    assert (funnel["signal"], funnel["level"]) == ("below", "99.8")
    assert funnel["limits"]["99.8"][0] > b["knowledge"]["rate"]
    # Everyone in B is a woman of 40: the standardised rate uses that one stratum only.
    assert b["knowledge"]["standardised"]["partial"] is True
    assert b["knowledge"]["standardised"]["rate"] == pytest.approx(1 / 20, abs=1e-4)
