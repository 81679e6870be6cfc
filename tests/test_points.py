"""The points calculator: one test per boundary of the 2017 table."""

from __future__ import annotations

import pytest

from domain.points import (
    Category,
    Degree,
    Profile,
    category_for,
    estimate,
    points_for_age,
    points_for_chinese,
    points_for_education,
    points_for_experience,
    points_for_extras,
    points_for_location,
    points_for_months_in_china,
    points_for_salary,
)


@pytest.mark.parametrize(
    ("salary", "points"),
    [
        (450_000, 20), (449_999, 17), (350_000, 17), (349_999, 14), (250_000, 14),
        (249_999, 11), (150_000, 11), (149_999, 8), (70_000, 8), (69_999, 5),
        (50_000, 5), (49_999, 0), (0, 0), (2_000_000, 20),
    ],
)  # fmt: skip
def test_salary_brackets(salary: int, points: int) -> None:
    assert points_for_salary(salary) == points


@pytest.mark.parametrize(
    ("degree", "points"),
    [(Degree.DOCTORATE, 20), (Degree.MASTER, 15), (Degree.BACHELOR, 10), (Degree.NONE, 0)],
)
def test_education(degree: Degree, points: int) -> None:
    assert points_for_education(degree) == points


@pytest.mark.parametrize(
    ("years", "points"), [(0, 0), (1.9, 0), (2, 5), (3, 6), (10, 13), (17, 20), (30, 20)]
)
def test_experience(years: float, points: int) -> None:
    assert points_for_experience(years) == points


@pytest.mark.parametrize(
    ("months", "points"), [(12, 15), (9, 15), (8.9, 10), (6, 10), (5.9, 5), (3, 5), (2.9, 0)]
)
def test_months_in_china(months: float, points: int) -> None:
    assert points_for_months_in_china(months) == points


@pytest.mark.parametrize(
    ("hsk", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 5)]
)
def test_chinese_level(hsk: int, points: int) -> None:
    assert points_for_chinese(hsk) == points


def test_a_degree_taught_in_chinese_counts_as_hsk5() -> None:
    assert points_for_chinese(0, chinese_taught_degree=True) == 5


@pytest.mark.parametrize(
    ("age", "points"),
    [
        (17, 0),
        (18, 10),
        (25, 10),
        (26, 15),
        (45, 15),
        (46, 10),
        (55, 10),
        (56, 5),
        (60, 5),
        (61, 0),
    ],
)
def test_age_brackets(age: int, points: int) -> None:
    assert points_for_age(age) == points


def test_location_and_extras() -> None:
    assert (points_for_location(True), points_for_location(False)) == (10, 0)
    assert (points_for_extras(True), points_for_extras(False)) == (5, 0)


@pytest.mark.parametrize(
    ("total", "category"),
    [(100, Category.A), (85, Category.A), (84, Category.B), (60, Category.B), (59, Category.C)],
)
def test_thresholds(total: int, category: Category) -> None:
    assert category_for(total) == category


def test_an_engineer_with_a_master_lands_in_b_and_learns_what_would_raise_it() -> None:
    result = estimate(
        Profile(
            annual_salary_rmb=300_000,
            degree=Degree.MASTER,
            experience_years=5,
            months_in_china=12,
            hsk_level=2,
            age=32,
        )
    )
    assert result.points == {
        "salary": 14, "education": 15, "experience": 8, "months_in_china": 15, "chinese": 2,
        "location": 0, "age": 15, "extras": 0, "local_bonus": 0,
    }  # fmt: skip
    assert (result.total, result.category, result.points_to_next) == (69, Category.B, 16)
    assert result.raises[0] == ("experience", 12)
