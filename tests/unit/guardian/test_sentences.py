"""The Guardian's sentences for slow endpoints, unreachable APIs and a score below the pass mark."""

from __future__ import annotations

import pytest

from vitesse.config import Settings
from vitesse.graph.guardian.sentences import (
    ALLOW_SETTINGS,
    below_pass_sentence,
    call_problem_sentence,
    slow_sentence,
)


def test_a_slow_endpoint_names_the_endpoint_the_figure_and_what_to_check():
    line = slow_sentence("Orbit CRM API", "POST /contacts", 1234.5, 1000.0, 8)
    assert line.startswith("POST /contacts of Orbit CRM API answered slowly: p95 latency 1.23 s over 8 calls")
    assert "(above 1 s)" in line and "check the API's response times and rate limits" in line


def test_a_score_below_the_pass_mark_says_the_score_the_mark_and_what_happens_next():
    line = below_pass_sentence(41.25, 70.0, 3)
    assert line.startswith("Health score 41.2 is below the pass mark of 70: ")
    assert "heals the mapping from these issues (up to 3 attempts), then pauses for a person to review" in line
    no_heal = below_pass_sentence(10.0, 80.0, 0)
    assert "pass mark of 80: the graph pauses for a person to review" in no_heal and "heals" not in no_heal


@pytest.mark.parametrize("category", ["connectivity", "timeout"])
def test_an_unreachable_api_is_told_to_check_the_address_reachability_and_firewalls(category):
    line = call_problem_sentence(category, "Orbit CRM API", "POST /contacts", 3, 3, "ConnectError: refused")
    assert "3 of 3 calls to POST /contacts (ConnectError: refused)" in line
    assert "firewall or security group" in line
    if category == "connectivity":
        assert line.startswith("Could not reach Orbit CRM API")
        assert "check the base URL" in line and "reachable from where Vitesse runs" in line
        assert all(f"{name}=true" in line for name in ALLOW_SETTINGS)


def test_the_settings_the_advice_names_are_the_ones_that_allow_private_and_loopback_hosts(monkeypatch, tmp_path):
    for name in ALLOW_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert not Settings(data_dir=tmp_path).allow_private_networks
    for name in ALLOW_SETTINGS:
        monkeypatch.setenv(name, "true")
    allowed = Settings(data_dir=tmp_path)
    assert allowed.allow_private_networks and allowed.allow_loopback
