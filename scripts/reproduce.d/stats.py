"""What scripts/reproduce's summaries share (standard library only)."""
import statistics


def mean_spread(xs, digits=1):
    """'mean ± standard deviation' of xs, the value alone for one, '-' for none."""
    if not xs:
        return "-"
    if len(xs) == 1:
        return f"{xs[0]:.{digits}f}"
    return f"{statistics.mean(xs):.{digits}f} ± {statistics.stdev(xs):.{digits}f}"
