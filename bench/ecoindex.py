"""The EcoIndex score (ecoindex.fr, CNUMR), computed from what a browser measured.

The published method places each of three measures (DOM elements, HTTP requests,
kilobytes transferred) in quantiles of the HTTP Archive, interpolating linearly
inside the bucket, and weighs them 3, 2 and 1:
score = 100 − 5 × (3·q_dom + 2·q_req + q_size) / 6.
"""

from bisect import bisect_right
from dataclasses import asdict, dataclass

QUANTILES_DOM = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603, 674, 753, 843, 949, 1076, 1237, 1459,
    1801, 2479, 594601,
)  # fmt: skip
QUANTILES_REQUESTS = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78, 86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)  # fmt: skip
QUANTILES_SIZE_KB = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32, 1648.27,
    1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54, 223212.26,
)  # fmt: skip
# A grade is given when the score is strictly above its floor (A: above 80).
GRADES = (("A", 80), ("B", 70), ("C", 55), ("D", 40), ("E", 25), ("F", 10), ("G", 0))


@dataclass(frozen=True)
class EcoIndex:
    dom: int
    requests: int
    size_kb: float
    score: float
    grade: str
    ges_g_co2e: float  # greenhouse gases per visit, as published with the score
    water_cl: float

    def as_dict(self) -> dict:
        return asdict(self)


def quantile_position(quantiles: tuple, value: float) -> float:
    """Where `value` falls in the quantiles, from 0 to 20, interpolated inside its bucket."""
    last = len(quantiles) - 1
    if value >= quantiles[last]:
        return float(last)
    index = max(bisect_right(quantiles, value), 1)
    low, high = quantiles[index - 1], quantiles[index]
    return index - 1 + (value - low) / (high - low)


def score(dom: int, requests: int, size_kb: float) -> float:
    """The EcoIndex score from 0 (worst) to 100 (best), unrounded."""
    q_dom = quantile_position(QUANTILES_DOM, dom)
    q_req = quantile_position(QUANTILES_REQUESTS, requests)
    q_size = quantile_position(QUANTILES_SIZE_KB, size_kb)
    return 100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6


def grade(value: float) -> str:
    """The letter from A to G for a score."""
    return next((letter for letter, floor in GRADES if value > floor), "G")


def ecoindex(dom: int, requests: int, size_kb: float) -> EcoIndex:
    """Score, grade and the published per-visit greenhouse gas and water estimates."""
    value = score(dom, requests, size_kb)
    return EcoIndex(
        dom=dom,
        requests=requests,
        size_kb=round(size_kb, 2),
        score=round(value, 1),
        grade=grade(value),
        ges_g_co2e=round(2 + 2 * (50 - value) / 100, 2),
        water_cl=round(3 + 3 * (50 - value) / 100, 2),
    )
