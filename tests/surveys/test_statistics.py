"""The pure statistics behind the rates: Wilson intervals and the before/after tests."""

import pytest

from healthedu.surveys.rates import compare_proportions, rate_block, wilson_interval

# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
# methods. Statistics in Medicine 1998;17:857-872, Table I, method 3 (Wilson score, no
# continuity correction), and the API.md example 17/20 → 0.64–0.95.
NEWCOMBE_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (17, 20, 0.6396, 0.9476),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_WILSON)
def test_wilson_interval_matches_published_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_interval_stays_within_0_and_1():
    assert wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 20)[0] == 0.0


def test_zero_denominator_is_no_data():
    assert wilson_interval(0, 0) == (None, None)
    assert rate_block(0, 0) == {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
    }


def test_chi_square_against_the_physicians_health_study_table():
    """Physicians' Health Study, aspirin and myocardial infarction (NEJM 1989;321:129-135), as
    tabulated in Agresti, Categorical Data Analysis (2nd ed., 2002), Table 2.3: placebo 189 of
    11 034 had an MI, aspirin 104 of 11 037. Agresti reports Pearson X² = 25.01 (df 1), P < 0.0001.
    Here "before" is placebo and "after" aspirin."""
    result = compare_proportions((189, 11034), (104, 11037))
    assert result["test"] == "chi2"
    assert result["statistic"] == pytest.approx(25.01, abs=0.01)
    assert result["p_value"] == pytest.approx(5.69e-7, rel=0.01)
    assert result["change"] == pytest.approx(104 / 11037 - 189 / 11034, abs=1e-4)


def test_fisher_exact_when_an_expected_count_is_under_5():
    """Fisher's lady tasting tea (The Design of Experiments, 1935, ch. II): 3 of 4 cups right
    against 1 of 4 gives the table [[3, 1], [1, 3]]; two-sided P = 34/70 = 0.4857."""
    result = compare_proportions((3, 4), (1, 4))
    assert result["test"] == "fisher"
    assert result["statistic"] is None
    assert result["p_value"] == pytest.approx(34 / 70, abs=1e-4)
    assert result["change"] == -0.5


def test_fisher_when_every_respondent_is_aware_in_both_rounds():
    # An all-aware column has expected counts of 0: chi-square is undefined, Fisher gives P = 1.
    result = compare_proportions((30, 30), (40, 40))
    assert result["test"] == "fisher"
    assert result["p_value"] == pytest.approx(1.0)
    assert result["change"] == 0


@pytest.mark.parametrize(
    ("before", "after"), [((0, 0), (5, 10)), ((5, 10), (0, 0)), ((0, 0), (0, 0))]
)
def test_an_empty_round_gives_nulls_and_a_note(before, after):
    result = compare_proportions(before, after)
    assert result["change"] is None
    assert result["p_value"] is None
    assert result["test"] is None
    assert result["note"]


@pytest.mark.parametrize(
    ("table", "test", "statistic", "p_value"),
    [
        # b = 30 before-only, c = 15 after-only: X² = (30 − 15)² / 45 = 5.0, P = erfc(√2.5)
        ((0, 30, 15, 0), "mcnemar", 5.0, 0.0253473),
        # 25 discordant pairs: the chi-square; (20 − 5)² / 25 = 9.0, P = 0.0026998
        ((7, 5, 20, 3), "mcnemar", 9.0, 0.0026998),
        # 24 discordant pairs: exact binomial, P = 2 · P(X ≤ 5 | 24, ½) = 2 · 55,455 / 2²⁴
        ((7, 5, 19, 3), "mcnemar_exact", None, 2 * 55455 / 2**24),
        # 3 before-only, 12 after-only: P = 2 · (1 + 15 + 105 + 455) / 2¹⁵ = 0.03515625
        ((5, 3, 12, 10), "mcnemar_exact", None, 0.03515625),
        # nobody changed: nothing speaks for a change, P = 1
        ((4, 0, 0, 6), "mcnemar_exact", None, 1.0),
    ],
)
def test_mcnemar_against_hand_computed_values(table, test, statistic, p_value):
    from healthedu.surveys.rates import mcnemar

    result = mcnemar(*table)
    assert result["test"] == test
    if statistic is None:
        assert result["statistic"] is None
    else:
        assert result["statistic"] == pytest.approx(statistic)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-5)
