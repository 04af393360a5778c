"""Server faults: a judge that raises, miscounts or hangs; /health while scoring; flags.

Nothing here waits on a clock to decide an outcome: a slow judge blocks on an event the
test releases, and the only timeout (the 504 case) fires on a judge that never returns
until the test lets it.
"""

from __future__ import annotations

import argparse
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from server_conn import KeepAliveConnection

from agents.cli.serve import add_arguments, config_from_args
from agents.serve import ServerConfig, ServerThread, create_app
from rewards.errors import InvalidInputError

GOOD = (
    "<step1>A storm hits a tiny boat.</step1><step2>Scared.</step2>"
    "<step3>Negative, high arousal.</step3> \\boxed{fear}"
)
BODY = {"query": ["Q " + GOOD], "prompts": ["Q "], "labels": ["fear"]}


class Judge:
    """A judge that agrees ("yes", "fear"); ``mode`` says how it misbehaves until ``fixed``.

    "block" and "hang" wait for ``release`` on their first call only.
    """

    needs_images = False

    def __init__(self, mode: str = "ok"):
        self.mode, self.calls, self.fixed = mode, 0, False
        self.entered, self.release = threading.Event(), threading.Event()

    def __call__(self, requests):
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            if self.mode in ("block", "hang"):
                self.release.wait(120)
        if not self.fixed and self.mode == "raise":
            raise RuntimeError("judge endpoint is down")
        answers = ["yes" if r.kind == "consistency" else "fear" for r in requests]
        if not self.fixed and self.mode == "miscount":
            return [*answers, "yes"]
        return answers


def judged_server(judge: Judge, **config) -> ServerThread:
    return ServerThread(ServerConfig(port=0, preset_args={"judge": judge}, **config))


def test_health_answers_while_a_request_is_being_scored():
    judge = Judge("block")
    with judged_server(judge) as server, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.post, server.url, json=BODY, timeout=120)
        assert judge.entered.wait(120)  # the request is inside the judge now
        health = httpx.get(server.base_url + "/health", timeout=30)
        assert health.status_code == 200 and health.json()["samples"] == 0
        judge.release.set()
        reply = pending.result()
    assert reply.status_code == 200 and reply.json()["rewards"] == [1.0]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("raise", "RuntimeError: judge endpoint is down"),
        ("miscount", "returned 3 answers for 2 requests"),
    ],
)
def test_a_failing_judge_is_a_server_fault(mode, message):
    judge = Judge(mode)
    with judged_server(judge) as server:
        conn = KeepAliveConnection(server.base_url)
        status, _, reply = conn.post(BODY)
        assert status == 502
        assert reply["error"].startswith("The judge failed (a server fault, not your request)")
        assert message in reply["error"]
        judge.fixed = True
        assert conn.post(BODY)[2]["rewards"] == [1.0]  # the judge recovered; same socket
        health = conn.request("GET", "/health")[2]
        conn.close()
    assert (health["errors"], health["server_errors"]) == (1, 1)


def test_a_failing_reward_is_a_500():
    from agents.common.scorer import RewardScorer
    from rewards.rubric import Rubric

    def broken(prompts=None, completions=None, **kwargs):
        raise ZeroDivisionError("division by zero")

    with ServerThread(ServerConfig(port=0), RewardScorer(Rubric([broken], [1.0]))) as server:
        conn = KeepAliveConnection(server.base_url)
        status, _, reply = conn.post(BODY)
        health = conn.request("GET", "/health")[2]
        conn.close()
    assert status == 500 and reply["error"] == (
        "Scoring failed (a server fault, not your request): ZeroDivisionError: division by zero"
    )
    assert health["server_errors"] == 1


def test_a_hanging_judge_times_out_with_504_and_the_server_goes_on():
    judge = Judge("hang")
    try:
        with judged_server(judge, score_timeout_s=0.5) as server:
            conn = KeepAliveConnection(server.base_url)
            status, _, reply = conn.post(BODY)
            assert status == 504 and "--score-timeout-s" in reply["error"]
            assert judge.entered.is_set() and not judge.release.is_set()  # still hanging
            status, _, reply = conn.post(BODY)  # a fresh worker thread scores it
            assert status == 200 and reply["rewards"] == [1.0]
            health = conn.request("GET", "/health")[2]
            conn.close()
    finally:
        judge.release.set()
    assert health["timeouts"] == 1 and health["server_errors"] == 1


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "abc"])
def test_bad_body_limits_are_refused_at_start(value, capsys):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--max-body-mb", value])
    assert "--max-body-mb: must be a finite number > 0" in capsys.readouterr().err


def test_new_flags_map_to_the_config():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--max-response-chars", "500", "--max-image-pixels", "1000", "--score-timeout-s", "9",
         "--dataset", "embedded", "--dataset", "captions"]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.max_response_chars, config.max_image_pixels) == (500, 1000)
    assert config.score_timeout_s == 9.0 and config.dataset == ("embedded", "captions")
    assert config_from_args(parser.parse_args([])).dataset == ("embedded",)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_body_bytes": 0},
        {"max_body_bytes": -1},
        {"max_body_bytes": 1.5},
        {"max_response_chars": 0},
        {"max_wait_ms": float("nan")},
        {"score_timeout_s": 0},
        {"score_timeout_s": float("inf")},
        {"port": 70000},
        {"token": ""},
    ],
)
def test_config_is_checked_at_once(kwargs):
    with pytest.raises(InvalidInputError, match=next(iter(kwargs))):
        ServerConfig(**kwargs)


def test_model_rubrics_go_through_the_batcher_and_rules_stay_inline():
    assert create_app(ServerConfig(preset="emo_r3_robust")).scorer.rules_only
    assert not create_app(ServerConfig(preset="emo_r3_offline")).scorer.rules_only
    assert not create_app(ServerConfig(preset_args={"judge": Judge()})).scorer.rules_only
