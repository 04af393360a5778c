import pytest

from rewards.rules import AccuracyReward, FormatReward
from rewards.testing import RewardCheckError, check_reward


def good_reward(prompts, completions, **kwargs):
    return [float(len(c) > 0) for c in completions]


def no_kwargs(prompts, completions):
    return [0.0 for _ in completions]


def wrong_length(prompts, completions, **kwargs):
    return [0.0]


def bad_values(prompts, completions, **kwargs):
    return ["1", True, float("inf"), None]


def test_builtin_rewards_pass():
    assert check_reward(FormatReward()).values == [1.0, 1.0, 0.0, 0.0]
    assert check_reward(AccuracyReward()).values == [1.0, 1.0, 0.0, 0.0]
    assert check_reward(good_reward).ok


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (no_kwargs, "does not accept unknown keyword arguments"),
        (wrong_length, "returned 1 values for 4 completions"),
        (bad_values, "value '1' is not a finite float or None"),
        (lambda prompts, completions, **kw: [0.0] * len(completions), "cannot be pickled"),
        (object(), "is not callable"),
    ],
)
def test_contract_breaches_are_reported(fn, message):
    with pytest.raises(RewardCheckError, match=message):
        check_reward(fn)


def test_range_check_and_report_mode():
    report = check_reward(good_reward, value_range=(0.5, 2.0), raise_on_error=False)
    assert not report.ok
    assert report.problems == ["value 0.0 is outside the documented range (0.5, 2.0)"]


class Drifting:
    __name__ = "drifting"

    def __init__(self):
        self.calls = 0

    def __call__(self, prompts, completions, **kwargs):
        self.calls += 1
        return [float(self.calls)] * len(completions)


def test_pickle_round_trip_must_reproduce_values():
    drifting = Drifting()
    drifting.calls = 5
    with pytest.raises(RewardCheckError, match="after a pickle round trip"):
        check_reward(drifting)
