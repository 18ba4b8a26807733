"""Fixed-bucket duration histograms: percentiles that merge by plain SQL sums across schools and days.

Each sample increments one bucket; a rollup row per bucket lets any scope/period merge histograms with
`GROUP BY bucket` instead of loading raw samples. Percentiles interpolate linearly inside a bucket,
so p50/p90 are exact to the bucket width (5 s under a minute, widening to 30 min above an hour).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

# Upper edges (seconds, exclusive) of each bucket; the last bucket is open-ended.
EDGES: tuple[float, ...] = (
    5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90, 105, 120, 150, 180, 240, 300, 360, 480, 600,
    900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 43200, 86400,
)
OPEN_BUCKET = len(EDGES)


def bucket_of(value: float) -> int:
    """Index of the bucket holding `value` (negative values clamp to the first bucket)."""
    return bisect.bisect_right(EDGES, max(0.0, value))


def bucket_bounds(index: int) -> tuple[float, float]:
    """Lower and upper edge of bucket `index`; the open bucket is given a width of one day."""
    lower = 0.0 if index == 0 else float(EDGES[index - 1])
    upper = float(EDGES[index]) if index < OPEN_BUCKET else lower + 86400.0
    return lower, upper


def percentile(buckets: Mapping[int, int], q: float) -> float | None:
    """The q-quantile (0 < q <= 1) of a merged histogram, or None when it holds no sample."""
    if not 0 < q <= 1:
        raise ValueError("quantile must be in (0, 1]")
    total = sum(c for c in buckets.values() if c > 0)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index in sorted(buckets):
        count = buckets[index]
        if count <= 0:
            continue
        if seen + count >= rank:
            lower, upper = bucket_bounds(index)
            return round(lower + (upper - lower) * (rank - seen) / count, 1)
        seen += count
    lower, upper = bucket_bounds(max(buckets))
    return upper
