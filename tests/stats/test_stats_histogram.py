"""Duration histograms merge by addition and give percentiles within a bucket width."""

from __future__ import annotations

from collections import Counter

import pytest

from campusguard.stats.histogram import bucket_bounds, bucket_of, percentile


def _hist(values: list[float]) -> Counter[int]:
    return Counter(bucket_of(v) for v in values)


def test_percentile_within_bucket_width() -> None:
    values = [float(v) for v in range(1, 201)]  # 1..200 s
    h = _hist(values)
    p50, p90 = percentile(h, 0.5), percentile(h, 0.9)
    assert p50 is not None and p90 is not None
    lo, hi = bucket_bounds(bucket_of(100))
    assert lo <= p50 <= hi
    lo, hi = bucket_bounds(bucket_of(180))
    assert lo <= p90 <= hi


def test_merge_is_addition() -> None:
    a, b = _hist([10, 20, 30]), _hist([400, 500])
    assert percentile(a + b, 1.0) == percentile(_hist([10, 20, 30, 400, 500]), 1.0)


def test_empty_and_bad_quantile() -> None:
    assert percentile({}, 0.5) is None
    with pytest.raises(ValueError):
        percentile({0: 1}, 0)


def test_open_bucket_and_negative() -> None:
    assert bucket_of(-3) == 0
    assert percentile(_hist([10**6]), 0.5) is not None
