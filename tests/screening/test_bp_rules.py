"""The blood-pressure table of SPEC.md, boundary by boundary, without a database."""

import pytest

from healthedu.screening.bp import ImplausibleReading, classify, plausibility_errors


@pytest.mark.parametrize(
    ("systolic", "diastolic", "category"),
    [
        # systolic boundaries, diastolic kept normal
        (119, 70, "normal"),
        (120, 70, "high_normal"),
        (139, 70, "high_normal"),
        (140, 70, "grade_1"),
        (159, 70, "grade_1"),
        (160, 70, "grade_2"),
        (179, 70, "grade_2"),
        (180, 70, "grade_3"),
        # diastolic boundaries, systolic kept normal
        (110, 79, "normal"),
        (110, 80, "high_normal"),
        (115, 89, "high_normal"),
        (115, 90, "grade_1"),
        (115, 99, "grade_1"),
        (115, 100, "grade_2"),
        (118, 109, "grade_2"),
        (118, 110, "grade_3"),
        # the higher grade wins, whichever value carries it
        (119, 79, "normal"),
        (125, 95, "grade_1"),
        (145, 85, "grade_1"),
        (165, 92, "grade_2"),
        (142, 105, "grade_2"),
        (150, 112, "grade_3"),
        (185, 95, "grade_3"),
        (139, 89, "high_normal"),
        (140, 90, "grade_1"),
        (179, 109, "grade_2"),
        (180, 110, "grade_3"),
    ],
)
def test_category_follows_the_guideline_table(systolic, diastolic, category):
    assert classify(systolic, diastolic, False).category == category


@pytest.mark.parametrize(
    ("systolic", "diastolic", "isolated"),
    [
        (140, 89, True),
        (139, 89, False),
        (140, 90, False),
        (185, 70, True),
        (160, 95, False),
        (120, 60, False),
    ],
)
def test_isolated_systolic_is_systolic_140_or_more_with_diastolic_under_90(
    systolic, diastolic, isolated
):
    assert classify(systolic, diastolic, False).isolated_systolic is isolated


@pytest.mark.parametrize(
    ("systolic", "diastolic", "has_hypertension", "referral"),
    [
        (119, 79, False, "none"),
        (139, 89, False, "none"),
        (140, 80, False, "referral"),
        (120, 90, False, "referral"),
        (179, 109, False, "referral"),
        (140, 80, True, "none"),
        (179, 109, True, "none"),
        (180, 100, False, "urgent"),
        (150, 110, False, "urgent"),
        # grade 3 is urgent also for someone with known hypertension: uncontrolled, see a doctor now
        (180, 100, True, "urgent"),
        (150, 110, True, "urgent"),
    ],
)
def test_referral(systolic, diastolic, has_hypertension, referral):
    assert classify(systolic, diastolic, has_hypertension).referral == referral


def test_classification_unpacks_as_a_triple():
    category, isolated, referral = classify(150, 85, False)
    assert (category, isolated, referral) == ("grade_1", True, "referral")


@pytest.mark.parametrize(
    ("systolic", "diastolic", "pulse", "field", "named"),
    [
        (59, 40, None, "systolic", "59"),
        (301, 90, None, "systolic", "301"),
        (120, 29, None, "diastolic", "29"),
        (250, 201, None, "diastolic", "201"),
        (120, 120, None, "diastolic", "120"),
        (100, 110, None, "diastolic", "110"),
        (120, 80, 29, "pulse", "29"),
        (120, 80, 221, "pulse", "221"),
    ],
)
def test_implausible_values_are_refused_with_the_value_named(
    systolic, diastolic, pulse, field, named
):
    errors = plausibility_errors(systolic, diastolic, pulse)
    assert list(errors) == [field]
    assert named in errors[field][0]
    if pulse is None:
        with pytest.raises(ImplausibleReading) as caught:
            classify(systolic, diastolic, False)
        assert named in caught.value.errors[field][0]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "pulse"),
    [(60, 30, None), (300, 90, None), (201, 200, None), (61, 60, 30), (120, 80, 220)],
)
def test_edges_of_the_plausible_ranges_are_accepted(systolic, diastolic, pulse):
    assert plausibility_errors(systolic, diastolic, pulse) == {}
    classify(systolic, diastolic, False)


@pytest.mark.parametrize(
    ("values", "mean"),
    [
        ([142, 136], 139),
        ([139, 140], 140),  # 139.5 rounds half up
        ([118, 119], 119),  # 118.5 → 119
        ([150, 140, 143], 144),  # 144.33
        ([150, 140, 144], 145),  # 144.67
        ([120], 120),
    ],
)
def test_the_mean_rounds_half_up(values, mean):
    from healthedu.screening.bp import mean_half_up

    assert mean_half_up(values) == mean


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([(142, 88)], (142, 88, True)),
        ([(142, 88), (137, 83)], (140, 86, False)),  # 5 apart: no third
        ([(142, 88), (136, 84)], (139, 86, True)),  # 6 apart: a third
        ([(142, 88), (142, 82)], (142, 85, True)),
        ([(150, 95), (140, 85), (145, 90)], (145, 90, False)),
    ],
)
def test_visit_value(readings, expected):
    from healthedu.screening.bp import visit_value

    assert tuple(visit_value(readings)) == expected


def test_a_visit_holds_one_to_three_readings():
    from healthedu.screening.bp import visit_value

    with pytest.raises(ValueError):
        visit_value([])
    with pytest.raises(ValueError):
        visit_value([(130, 80)] * 4)


@pytest.mark.parametrize(
    ("age", "category"), [(0, "not_graded"), (17, "not_graded"), (18, "grade_3"), (None, "grade_3")]
)
def test_under_18_is_not_graded_and_makes_no_referral(age, category):
    result = classify(185, 115, False, age=age)
    assert result.category == category
    assert result.referral == ("none" if category == "not_graded" else "urgent")
