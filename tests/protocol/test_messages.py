"""Hub messages and kiosk hellos: signed, typed, and never mistaken for one another."""

from __future__ import annotations

from dataclasses import replace

import pytest

from protocol import batch
from protocol.errors import BadHubSignature, BadSignature, Malformed, RejectReason, TooLarge
from protocol.messages import (
    Ack,
    Checkpoint,
    CreditChange,
    DayResult,
    Hello,
    LinePlan,
    MonthPublication,
    PeriodSummary,
    PlanPerson,
    open_frame,
    seal,
)
from protocol.signing import Signer, Verifier
from protocol.topics import Topics

HUB = Signer(bytes(range(32, 64)))
KIOSK = Signer(bytes(range(32)))


def plan() -> LinePlan:
    return LinePlan(
        hub="HUB",
        line="L1",
        line_name="一号线",
        area_name="一监区",
        day="2026-10-05",
        hub_ms=1_791_190_800_000,
        revision=7,
        product="SHIRT",
        product_name="衬衫",
        people=(
            PlanPerson(
                id="P1001",
                name="张三",
                role="inmate",
                badges=("0004718293",),
                product="SHIRT",
                step="S3",
                step_name="上领",
                quota_units="96.00",
                yesterday=DayResult(
                    day="2026-10-04",
                    quota_units="96.00",
                    done_units="90.50",
                    diff_units="-5.50",
                    completion_pct="94.27",
                ),
            ),
            PlanPerson(id="O1", name="李警官", role="officer", badges=("0001",)),
        ),
    )


@pytest.mark.parametrize(
    "message",
    [
        Ack(hub="HUB", kiosk="K1", seq=12, hash="ab" * 32, hub_ms=5),
        Checkpoint(hub="HUB", tree_size=100, root="cd" * 32, hub_ms=6),
        plan(),
    ],
    ids=["ack", "checkpoint", "plan"],
)
def test_hub_messages_round_trip_and_need_the_hub_key(message: Ack | Checkpoint | LinePlan) -> None:
    """A hub message opens with the hub key to the same value; with another key it is refused."""
    frame = seal(message, HUB)
    assert open_frame(frame, Verifier(HUB.public_key), type(message)) == message
    with pytest.raises(BadSignature):
        open_frame(frame, Verifier(KIOSK.public_key), type(message))


@pytest.mark.parametrize("hub_flag", [True, False], ids=["hub-key", "unflagged-key"])
@pytest.mark.parametrize(
    "message",
    [
        Ack(hub="HUB", kiosk="K1", seq=12, hash="ab" * 32, hub_ms=5),
        Checkpoint(hub="HUB", tree_size=100, root="cd" * 32, hub_ms=6),
        plan(),
    ],
    ids=["ack", "checkpoint", "plan"],
)
def test_a_hub_message_that_fails_its_signature_blames_the_hub_key(
    message: Ack | Checkpoint | LinePlan, hub_flag: bool
) -> None:
    """A checkpoint (ack, plan) signed by another key is refused as `bad_hub_signature`, "does not
    match the hub's key", never as the kiosk's key: whatever verifier the caller built."""
    frame = seal(message, KIOSK)
    with pytest.raises(BadHubSignature) as caught:
        open_frame(frame, Verifier(HUB.public_key, hub=hub_flag), type(message))
    assert caught.value.reason is RejectReason.BAD_HUB_SIGNATURE
    assert "hub's key" in str(caught.value)
    assert "kiosk" not in str(caught.value)


def test_kiosk_signatures_still_blame_the_kiosk_key() -> None:
    """A hello re-signed by another key, and raw data checked with a kiosk's key, stay `bad_signature`
    naming the kiosk's key; the same data checked with the hub's key names the hub's key."""
    hello = Hello(kiosk="K1", public_key=KIOSK.public_key, boot="b1", wall_ms=3)
    with pytest.raises(BadSignature) as from_hello:
        open_frame(seal(hello, HUB), None, Hello)
    assert from_hello.value.reason is RejectReason.BAD_SIGNATURE
    assert "kiosk's key" in str(from_hello.value)
    signature = HUB.sign(b"data")
    with pytest.raises(BadSignature) as kiosk_key:
        Verifier(KIOSK.public_key).verify(b"data", signature)
    assert type(kiosk_key.value) is BadSignature
    with pytest.raises(BadHubSignature, match="hub's key"):
        Verifier(KIOSK.public_key, hub=True).verify(b"data", signature)
    with pytest.raises(BadHubSignature, match="not canonical"):
        Verifier(HUB.public_key, hub=True).verify(b"data", signature[:32] + b"\xff" * 32)


def test_a_message_of_one_kind_is_not_accepted_as_another() -> None:
    """An ack can never be read as a plan, even with a valid hub signature."""
    frame = seal(Ack(hub="HUB", kiosk="K1", seq=1, hash="00" * 32, hub_ms=1), HUB)
    with pytest.raises(Malformed, match="kind"):
        open_frame(frame, Verifier(HUB.public_key), LinePlan)


def test_hello_proves_possession_of_its_key() -> None:
    """A hello verifies against the key it carries; a hello re-signed by someone else does not."""
    hello = Hello(kiosk="K1", public_key=KIOSK.public_key, boot="b1", wall_ms=3)
    assert open_frame(seal(hello, KIOSK), None, Hello) == hello
    with pytest.raises(BadSignature):
        open_frame(seal(hello, HUB), None, Hello)


def test_unsigned_or_truncated_messages_are_refused() -> None:
    """An ack without a signature, or cut short, never opens."""
    frame = seal(Ack(hub="HUB", kiosk="K1", seq=1, hash="00" * 32, hub_ms=1), HUB)
    with pytest.raises(Malformed):
        open_frame(frame[64:], Verifier(HUB.public_key), Ack)
    with pytest.raises(Malformed):
        open_frame(frame[:-1], Verifier(HUB.public_key), Ack)


def test_batches_pack_and_unpack_frames_in_order() -> None:
    """A batch gives back its frames in order; broken framing and oversize batches are refused."""
    frames = [bytes([i]) * (i + 70) for i in range(10)]
    assert batch.unpack(batch.pack(frames)) == frames
    with pytest.raises(Malformed):
        batch.unpack(batch.pack(frames)[:-1])
    with pytest.raises(Malformed):
        batch.unpack(b"")
    with pytest.raises(TooLarge):
        batch.pack([b"x" * 1000] * 501)


def test_topics_live_under_the_site_prefix() -> None:
    """Every topic is under `floorledger/<site>`, and kiosk topics give back their kiosk id."""
    topics = Topics.for_site("site1")
    assert topics.records("K1") == "floorledger/site1/kiosk/K1/records"
    assert topics.plan("L1") == "floorledger/site1/line/L1/plan"
    assert topics.all_records(shared=True) == "$share/floorledger-ingest/floorledger/site1/kiosk/+/records"
    assert topics.kiosk_of(topics.records("K9")) == "K9"
    assert topics.kiosk_of("floorledger/other/kiosk/K9/records") is None


def _person_with_news() -> PlanPerson:
    return PlanPerson(
        id="P1001",
        name="张三",
        role="inmate",
        badges=("0004718293",),
        product="SHIRT",
        step="S3",
        quota_units="96.00",
        notice="已调阅记录，计数无误",
        changes=(
            CreditChange(day="2026-10-02", cause="upheld", done_units="101.00"),
            CreditChange(day="2026-10-03", cause="linemate", done_units=None),
        ),
    )


def test_a_plans_notice_and_credit_changes_reach_the_kiosk_through_the_signed_frame() -> None:
    """The dispute answer (notice) and the days re-counted after an upheld dispute survive sealing
    and opening: what the kiosk reads is what the hub built."""
    message = replace(plan(), people=(_person_with_news(), *plan().people[1:]))
    opened = open_frame(seal(message, HUB), Verifier(HUB.public_key), LinePlan)
    assert opened == message
    assert opened.people[0].notice == "已调阅记录，计数无误"
    assert [c.cause for c in opened.people[0].changes] == ["upheld", "linemate"]


def test_a_plan_without_credit_changes_has_no_changes_field() -> None:
    """Nobody with a change: the plan's bytes are those older kiosks read (no `changes` key)."""
    assert all("changes" not in p for p in plan().to_dict()["people"])
    assert "changes" in _person_with_news().to_dict()


def test_an_inmate_s_prison_number_reaches_the_kiosk_and_only_when_known() -> None:
    """The plan carries the prison number the screens show (囚号) through the signed frame; a person
    without one has no `number` key, and an empty number is malformed."""
    person = replace(plan().people[0], number="32101006")
    message = replace(plan(), people=(person, *plan().people[1:]))
    opened = open_frame(seal(message, HUB), Verifier(HUB.public_key), LinePlan)
    assert opened.people[0].number == "32101006"
    assert opened.people[0].shown_number == "32101006"
    assert all("number" not in p for p in plan().to_dict()["people"])
    assert plan().people[0].shown_number == plan().people[0].id
    raw = person.to_dict()
    raw["number"] = ""
    with pytest.raises(Malformed):
        PlanPerson.from_dict(raw, "people[0]")


@pytest.mark.parametrize(
    "changes",
    [
        [],
        [{"day": "2026-10-02", "cause": "guess", "done_units": "1"}],
        [{"day": "2026-10-02", "cause": "upheld", "done_units": "lots"}],
        [{"day": "2026-10-02", "cause": "upheld"}],
        [{"day": "2026-10-02", "cause": "upheld", "done_units": "1"}] * 32,
        "upheld",
    ],
    ids=["empty", "cause", "units", "missing", "too-many", "not-a-list"],
)
def test_malformed_credit_changes_are_refused(changes: object) -> None:
    """A `changes` field that is empty, too long, or has a bad cause or figure makes the plan malformed."""
    raw = _person_with_news().to_dict()
    raw["changes"] = changes
    with pytest.raises(Malformed):
        PlanPerson.from_dict(raw, "people[0]")


def test_a_plan_carries_rule_book_v2_facts_and_only_when_set() -> None:
    """A rated post with its grades, a training or exempt flag and the rule set's grade list reach the
    kiosk through the signed frame; a plan without any has none of these keys (older kiosks read it)."""
    rated = replace(
        plan().people[0],
        product=None,
        step=None,
        post="kitchen",
        grades=(("2026-10-01", "B"), ("2026-10-02", "A")),
    )
    trainee = replace(plan().people[0], id="P2", training=True)
    exempt = replace(plan().people[0], id="P3", exempt=True, quota_units=None)
    message = replace(plan(), people=(rated, trainee, exempt), grades=("A", "B", "C", "D"))
    opened = open_frame(seal(message, HUB), Verifier(HUB.public_key), LinePlan)
    assert opened == message
    assert dict(opened.people[0].grades) == {"2026-10-01": "B", "2026-10-02": "A"}
    assert opened.grades == ("A", "B", "C", "D")
    assert (opened.people[1].training, opened.people[2].exempt) == (True, True)
    raw = plan().to_dict()
    assert "grades" not in raw
    assert all(not {"post", "grades", "training", "exempt"} & set(p) for p in raw["people"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("grades", {"2026-10-01": "b"}), ("grades", ["A"]), ("training", False), ("exempt", 1), ("post", "")],
)
def test_malformed_v2_plan_fields_are_refused(field: str, value: object) -> None:
    """A v2 field of a plan person with a wrong shape (a false flag is left out, never sent) is malformed."""
    raw = plan().people[0].to_dict()
    raw[field] = value
    with pytest.raises(Malformed):
        PlanPerson.from_dict(raw, "people[0]")


def test_an_inmates_week_month_and_published_result_reach_the_kiosk_and_only_when_present() -> None:
    """The plan carries his week and month so far and his published month (公示, with its state and
    the officers' answer) through the signed frame; a person without them has none of the keys (older
    plans stay byte for byte); a state or a month the protocol does not know is malformed."""
    week = PeriodSummary(
        period="2026-W44", days=3, completion_pct="98.50", rated_days=1, graded_days=0,
        deduct_points="0.0", points=None,
    )  # fmt: skip
    month = replace(week, period="2026-10", days=20, points="-1.5")
    published = MonthPublication(
        month="2026-09", days=21, completion_pct=None, points="10.5", valid_from="2026-10-03",
        until="2026-10-07", status="kept", answer="核对无误",
    )  # fmt: skip
    person = replace(plan().people[0], week=week, month_so_far=month, published=published)
    message = replace(plan(), people=(person, *plan().people[1:]))
    opened = open_frame(seal(message, HUB), Verifier(HUB.public_key), LinePlan)
    assert opened == message
    assert (opened.people[0].published.status, opened.people[0].published.answer) == ("kept", "核对无误")
    assert all(not {"week", "month_so_far", "published"} & set(p) for p in plan().to_dict()["people"])
    for part, key, bad in (("published", "status", "maybe"), ("published", "month", "2026-13"),
                           ("month_so_far", "points", "1.234"), ("week", "days", 32)):  # fmt: skip
        raw = person.to_dict()
        raw[part] = {**raw[part], key: bad}
        with pytest.raises(Malformed):
            PlanPerson.from_dict(raw, "people[0]")
