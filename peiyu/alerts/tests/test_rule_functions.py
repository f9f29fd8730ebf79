"""Each rule on hand-built series: positive and negative cases, and edited thresholds (pure functions)."""

from peiyu.alerts import rules
from peiyu.alerts.models import AlertSettings, Severity
from peiyu.alerts.tests.helpers import WAN, months, steady

M = "2025-06"


def values(d):
    return lambda m: d.get(m, 0)


def flat(n_months=24, amount=100 * WAN, end=M):
    return dict.fromkeys(months(end, n_months), amount)


def test_yoy_drop_fires_at_30_percent_and_not_below():
    cfg = AlertSettings()
    s = flat()
    for m in months(M, 3):
        s[m] = 69 * WAN  # 31% below last year's 100
    sev, ev, text = rules.yoy_drop(values(s), M, cfg)
    assert sev == Severity.MEDIUM
    assert ev["sum_fen"] == 207 * WAN and ev["prev_sum_fen"] == 300 * WAN
    assert ev["change_pct"] == -31.0
    assert ev["months"] == ["2025-04", "2025-05", "2025-06"]
    assert ev["prev_months"] == ["2024-04", "2024-05", "2024-06"]
    assert "下降 31.0%" in text
    for m in months(M, 3):
        s[m] = 71 * WAN  # 29% below: no warning
    assert rules.yoy_drop(values(s), M, cfg) is None
    cfg.yoy_drop_pct = 25  # threshold edited
    assert rules.yoy_drop(values(s), M, cfg) is not None


def test_yoy_drop_exactly_at_threshold_and_high_severity():
    cfg = AlertSettings()
    s = flat()
    for m in months(M, 3):
        s[m] = 70 * WAN
    assert rules.yoy_drop(values(s), M, cfg)[0] == Severity.MEDIUM
    for m in months(M, 3):
        s[m] = 40 * WAN
    assert rules.yoy_drop(values(s), M, cfg)[0] == Severity.HIGH


def test_yoy_drop_needs_a_base_last_year():
    cfg = AlertSettings()
    s = dict.fromkeys(months(M, 3), 10 * WAN)  # nothing a year earlier (new firm)
    assert rules.yoy_drop(values(s), M, cfg) is None


def test_yoy_drop_window_edited():
    cfg = AlertSettings()
    s = flat()
    s[M] = 0  # one bad month: 3-month sum is 33% lower
    assert rules.yoy_drop(values(s), M, cfg) is not None
    cfg.yoy_drop_months = 6  # 1/6 lower: below 30%
    assert rules.yoy_drop(values(s), M, cfg) is None


def test_consecutive_decline():
    cfg = AlertSettings()
    s = flat()
    for m in months(M, 3):
        s[m] = 99 * WAN
    sev, ev, text = rules.consecutive_decline(values(s), M, cfg)
    assert sev == Severity.LOW
    assert ev["changes_pct"] == [-1.0, -1.0, -1.0]
    assert "连续 3 个月" in text
    s["2025-05"] = 100 * WAN  # equal to last year breaks the run
    assert rules.consecutive_decline(values(s), M, cfg) is None
    s["2025-05"] = 99 * WAN
    cfg.decline_min_pct = 5  # only declines deeper than 5% count
    assert rules.consecutive_decline(values(s), M, cfg) is None
    cfg.decline_min_pct, cfg.decline_months = 0, 4  # the 4th month back was not lower
    assert rules.consecutive_decline(values(s), M, cfg) is None


def test_stopped_paying():
    cfg = AlertSettings()
    s = flat()
    s["2025-05"] = s["2025-06"] = 0
    sev, ev, text = rules.stopped_paying(values(s), M, cfg)
    assert sev == Severity.HIGH
    assert ev["months"] == ["2025-05", "2025-06"]
    assert ev["paid_months"] == months("2025-04", 6)
    assert ev["paid_sum_fen"] == 600 * WAN
    s["2025-06"] = -5 * WAN  # a refund is not a payment
    assert rules.stopped_paying(values(s), M, cfg) is not None
    s["2025-06"] = 1  # paid something
    assert rules.stopped_paying(values(s), M, cfg) is None
    s["2025-06"] = 0
    s["2024-12"] = 0  # a gap in the six months before: an irregular payer, not a stop
    assert rules.stopped_paying(values(s), M, cfg) is None
    cfg.stop_paid_months = 3  # only three months of history required
    assert rules.stopped_paying(values(s), M, cfg) is not None
    cfg.stop_quiet_months = 3  # now April must be empty too
    assert rules.stopped_paying(values(s), M, cfg) is None


def test_spike():
    cfg = AlertSettings()
    s = flat(13)
    s[M] = 501 * WAN
    sev, ev, text = rules.spike(values(s), M, cfg)
    assert sev == Severity.INFO
    assert ev["median_fen"] == 100 * WAN and ev["ratio"] == 5.0
    assert "倍" in text
    s[M] = 500 * WAN  # exactly 5x is not above 5x
    assert rules.spike(values(s), M, cfg) is None
    cfg.spike_factor = 4
    assert rules.spike(values(s), M, cfg) is not None


def test_spike_median_of_even_window_and_zero_median():
    cfg = AlertSettings()
    s = {m: (10 if i % 2 else 30) * WAN for i, m in enumerate(months("2025-05", 12))}  # median 20
    s[M] = 101 * WAN
    assert rules.spike(values(s), M, cfg)[1]["median_fen"] == 20 * WAN
    s[M] = 100 * WAN
    assert rules.spike(values(s), M, cfg) is None
    once = {M: 1000 * WAN}  # first payment ever: no median to compare with
    assert rules.spike(values(once), M, cfg) is None


def test_steady_grower_trips_no_series_rule():
    cfg = AlertSettings()
    s = steady(M, 36, 50 * WAN)
    for rule, fn in rules.SERIES_RULES.items():
        assert fn(values(s), M, cfg) is None, rule
