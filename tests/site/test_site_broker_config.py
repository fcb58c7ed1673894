"""The broker config and ACL `floorledger site` writes: right by construction (issue #13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorledger.site.mosquitto import MAX_PACKET_SIZE, broker_acl, broker_conf
from protocol.batch import MAX_BATCH_BYTES
from protocol.messages import MAX_PLAN_BYTES
from protocol.topics import Topics

T = Topics.for_site("site1")


def _settings(conf: str) -> list[tuple[str, str]]:
    out = []
    for line in conf.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            out.append((key, value.strip()))
    return out


def test_the_broker_config_is_tls_only_with_client_certificates_and_no_password_file() -> None:
    settings = _settings(broker_conf(port=8883))
    keys = [k for k, _ in settings]
    values = dict(settings)
    assert keys.count("listener") == 1  # one listener: no plain one
    assert values["listener"] == "8883"
    assert "include_dir" not in keys  # no other file can add a listener or loosen a setting
    for required in ("cafile", "certfile", "keyfile", "crlfile"):
        assert required in values
    assert values["require_certificate"] == "true"
    assert values["use_identity_as_username"] == "true"
    assert values["allow_anonymous"] == "false"
    assert "password_file" not in keys  # Mosquitto ignores it under use_identity_as_username
    assert "message_size_limit" not in keys  # replaced by max_packet_size in Mosquitto 2
    assert values["persistence"] == "true"
    assert values["persistence_location"].startswith("/var/lib/mosquitto")


def test_the_largest_packet_carries_the_largest_batch_or_plan_and_no_more() -> None:
    values = dict(_settings(broker_conf()))
    assert int(values["max_packet_size"]) == MAX_PACKET_SIZE
    assert (
        max(MAX_BATCH_BYTES, MAX_PLAN_BYTES) < MAX_PACKET_SIZE <= max(MAX_BATCH_BYTES, MAX_PLAN_BYTES) + 65536
    )


def test_no_topic_line_stands_outside_a_user_block() -> None:
    """Mosquitto applies `topic` lines before the first `user` line to anonymous clients only: the
    plans were unreadable for every kiosk that way (issue #13)."""
    lines = [x for x in broker_acl("site1").splitlines() if x and not x.startswith("#")]
    first_user = next(i for i, x in enumerate(lines) if x.startswith("user "))
    assert not [x for x in lines[:first_user] if x.startswith("topic ")]
    assert all(x.startswith(("pattern ", "user ")) for x in lines[:first_user])


def _matches(filter_: str, topic: str) -> bool:
    """MQTT topic-filter matching (+ one level, # the rest)."""
    f, t = filter_.split("/"), topic.split("/")
    for i, part in enumerate(f):
        if part == "#":
            return True
        if i >= len(t) or (part != "+" and part != t[i]):
            return False
    return len(f) == len(t)


def _rights(acl: str, user: str) -> list[tuple[str, str]]:
    """(access, filter) a client with this username has: every pattern (%u replaced) and its own
    `user` block's topics."""
    rights: list[tuple[str, str]] = []
    block = None
    for line in acl.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "user":
            block = words[1]
        elif words[0] == "pattern":
            rights.append((words[1], words[2].replace("%u", user)))
        elif words[0] == "topic" and block == user:
            rights.append((words[1], words[2]))
    return rights


def _may(acl: str, user: str, access: str, topic: str) -> bool:
    return any(a in (access, "readwrite") and _matches(f, topic) for a, f in _rights(acl, user))


@pytest.mark.parametrize(
    ("access", "topic", "allowed"),
    [
        ("write", T.records("K01"), True),
        ("write", T.hello("K01"), True),
        ("write", T.status("K01"), True),
        ("read", T.ack("K01"), True),
        ("read", T.plan("L1"), True),
        ("read", T.plan("L7"), True),
        ("read", T.hub_status(), True),
        ("read", T.checkpoint(), True),
        # another kiosk's topics
        ("write", T.records("K02"), False),
        ("write", T.hello("K02"), False),
        ("write", T.status("K02"), False),
        ("read", T.ack("K02"), False),
        ("read", T.records("K02"), False),
        # what only the hub writes
        ("write", T.ack("K01"), False),
        ("write", T.plan("L1"), False),
        ("write", T.hub_status(), False),
        ("write", T.checkpoint(), False),
        # another site
        ("write", Topics.for_site("site2").records("K01"), False),
    ],
)
def test_a_kiosk_may_use_its_own_topics_and_read_plans_only(access: str, topic: str, allowed: bool) -> None:
    assert _may(broker_acl("site1"), "K01", access, topic) is allowed


@pytest.mark.parametrize(
    ("access", "topic"),
    [
        ("read", T.records("K01")),
        ("read", T.all_records(shared=True)),
        ("read", T.hello("K02")),
        ("read", T.status("K02")),
        ("write", T.ack("K02")),
        ("write", T.plan("L3")),
        ("write", T.hub_status()),
        ("write", T.checkpoint()),
    ],
)
def test_the_hub_may_read_every_kiosk_and_write_acks_plans_and_its_own_topics(
    access: str, topic: str
) -> None:
    assert _may(broker_acl("site1"), "hub", access, topic)


def test_the_example_in_deploy_is_what_site_init_writes() -> None:
    """deploy/mosquitto/ shows the generated files for site1; it must never drift from them."""
    deploy = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
    assert (deploy / "mosquitto.conf").read_text(encoding="utf-8") == broker_conf()
    assert (deploy / "floorledger.acl").read_text(encoding="utf-8") == broker_acl("site1")
