"""The 2017 points table of the Foreigner's Work Permit (provisional; thresholds A >= 85, B >= 60).

Pure functions, one per factor, each returning the points for a value; `estimate` adds them up,
names the likely category and what would raise it. Salary is the annual salary in China in RMB.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CATEGORY_A_POINTS = 85
CATEGORY_B_POINTS = 60


class Degree(StrEnum):
    DOCTORATE = "doctorate"
    MASTER = "master"
    BACHELOR = "bachelor"
    NONE = "none"


class Category(StrEnum):
    A = "A"
    B = "B"
    C = "C"


# (lower bound in RMB 10k a year, points), highest first.
SALARY_BRACKETS = ((45, 20), (35, 17), (25, 14), (15, 11), (7, 8), (5, 5))
AGE_BRACKETS = ((18, 25, 10), (26, 45, 15), (46, 55, 10), (56, 60, 5))
MONTHS_BRACKETS = ((9, 15), (6, 10), (3, 5))

MAXIMUM = {
    "salary": 20,
    "education": 20,
    "experience": 20,
    "months_in_china": 15,
    "chinese": 5,
    "location": 10,
    "age": 15,
    "extras": 5,
    "local_bonus": 10,
}


def points_for_salary(annual_salary_rmb: float) -> int:
    """RMB 450,000 or more a year: 20; 350,000-450,000: 17; ... under 50,000: 0."""
    in_ten_thousands = annual_salary_rmb / 10_000
    return next((p for bound, p in SALARY_BRACKETS if in_ten_thousands >= bound), 0)


def points_for_education(degree: Degree) -> int:
    return {Degree.DOCTORATE: 20, Degree.MASTER: 15, Degree.BACHELOR: 10}.get(degree, 0)


def points_for_experience(years: float) -> int:
    """Two years of work experience: 5, one more point for each further full year, 20 at most."""
    if years < 2:
        return 0
    return min(MAXIMUM["experience"], 5 + int(years) - 2)


def points_for_months_in_china(months_per_year: float) -> int:
    return next((p for bound, p in MONTHS_BRACKETS if months_per_year >= bound), 0)


def points_for_chinese(hsk_level: int, *, chinese_taught_degree: bool = False) -> int:
    """HSK 5 or higher, or a degree taught in Chinese: 5; HSK 4: 4; ... HSK 1: 1; none: 0."""
    if chinese_taught_degree:
        return 5
    return max(0, min(5, hsk_level))


def points_for_location(priority_region: bool) -> int:
    """Western regions, north-east old industrial bases and poverty counties: 10 (not Shanghai,
    not Jinan)."""
    return 10 if priority_region else 0


def points_for_age(age: int) -> int:
    return next((p for low, high, p in AGE_BRACKETS if low <= age <= high), 0)


def points_for_extras(qualifies: bool) -> int:
    """A top foreign university, Fortune 500 experience, patents, or 5+ years working in China."""
    return 5 if qualifies else 0


@dataclass(frozen=True)
class Profile:
    """What the calculator asks."""

    annual_salary_rmb: float
    degree: Degree
    experience_years: float
    months_in_china: float
    hsk_level: int
    age: int
    chinese_taught_degree: bool = False
    priority_region: bool = False
    extras: bool = False
    local_bonus: int = 0


@dataclass(frozen=True)
class Estimate:
    """Points per factor, the total and the likely category."""

    points: dict[str, int]
    total: int
    category: Category
    raises: tuple[tuple[str, int], ...]

    @property
    def points_to_next(self) -> int | None:
        if self.category is Category.A:
            return None
        target = CATEGORY_B_POINTS if self.category is Category.C else CATEGORY_A_POINTS
        return target - self.total


def category_for(total: int) -> Category:
    if total >= CATEGORY_A_POINTS:
        return Category.A
    if total >= CATEGORY_B_POINTS:
        return Category.B
    return Category.C


def estimate(profile: Profile) -> Estimate:
    points = {
        "salary": points_for_salary(profile.annual_salary_rmb),
        "education": points_for_education(profile.degree),
        "experience": points_for_experience(profile.experience_years),
        "months_in_china": points_for_months_in_china(profile.months_in_china),
        "chinese": points_for_chinese(
            profile.hsk_level, chinese_taught_degree=profile.chinese_taught_degree
        ),
        "location": points_for_location(profile.priority_region),
        "age": points_for_age(profile.age),
        "extras": points_for_extras(profile.extras),
        "local_bonus": max(0, min(MAXIMUM["local_bonus"], profile.local_bonus)),
    }
    total = sum(points.values())
    category = category_for(total)
    # What would raise it: the factors a person can still change, with the points they could add.
    changeable = ("salary", "education", "experience", "chinese", "months_in_china", "extras")
    raises = tuple(
        sorted(
            ((f, MAXIMUM[f] - points[f]) for f in changeable if points[f] < MAXIMUM[f]),
            key=lambda item: -item[1],
        )
    )
    return Estimate(points=points, total=total, category=category, raises=raises)
