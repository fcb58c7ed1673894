"""Hypothesis strategies that build any valid record of any type."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from protocol import records as r
from protocol.signing import b64encode

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True)
days = st.integers(0, 3000).map(lambda n: (date(2024, 1, 1) + timedelta(days=n)).isoformat())
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"), max_size=40
) | st.sampled_from(["入库数少了两件", "line\nbreak", 'quote " and \\ backslash'])
units = st.integers(0, r.MAX_UNITS)
hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)


def _check(cls: type) -> st.SearchStrategy[object]:
    return st.builds(
        cls, person=ids, line=ids, day=days, method=st.sampled_from(r.CHECK_METHODS), witness=st.none() | ids
    )


months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2099), st.integers(1, 12))
points = st.builds(
    lambda whole, cents, sign: f"{sign}{whole}" + ("" if cents is None else f".{cents:02d}"),
    st.integers(0, 999_999),
    st.none() | st.integers(0, 99),
    st.sampled_from(["", "-"]),
)

bodies = st.one_of(
    _check(r.CheckIn),
    _check(r.CheckOut),
    st.builds(
        r.UnitCount,
        person=ids,
        line=ids,
        day=days,
        product=ids,
        step=ids,
        units=units,
        source=st.sampled_from(r.COUNT_SOURCES),
        ref=st.none() | ids,
    ),
    st.builds(r.WarehousedCount, line=ids, product=ids, day=days, units=units, officer=ids),
    st.builds(r.Confirm, person=ids, day=days),
    st.builds(r.Dispute, person=ids, day=days, reason=ids, text=texts),
    st.builds(r.Countersign, officer=ids, line=ids, day=days),
    st.builds(r.MonthConfirm, person=ids, month=months, points=points, day=days),
    st.builds(r.MonthReview, person=ids, month=months, points=points, day=days, reason=ids, text=texts),
    st.builds(
        r.ExcusedAbsence,
        person=ids,
        day=days,
        minutes=st.integers(0, r.MAX_MINUTES),
        reason=st.sampled_from(r.EXCUSE_REASONS),
        officer=ids,
    ),
    st.builds(
        r.Correction,
        ref_kiosk=ids,
        ref_seq=st.integers(1, 2**63 - 1),
        ref_hash=hex64,
        officer=ids,
        reason=texts.filter(lambda t: bool(t.strip())),
        values=st.dictionaries(ids, st.none() | units | texts, min_size=1, max_size=3),
    ),
    st.builds(r.DeviceFault, device=ids, fault=ids, detail=texts),
    st.builds(
        r.CheckpointWitness,
        hub=ids,
        tree_size=st.integers(0, 2**63 - 1),
        root=hex64,
        hub_ms=st.integers(0, 2**53 - 1),
        signature=st.binary(min_size=64, max_size=64).map(b64encode),
    ),
    st.builds(
        r.Grade,
        person=ids,
        line=ids,
        day=days,
        post=ids,
        grade=st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True),
        officer=ids,
    ),
    st.builds(
        r.Reject,
        person=ids,
        line=ids,
        day=days,
        product=ids,
        step=ids,
        units=st.integers(1, r.MAX_UNITS),
        reason=st.sampled_from(r.REJECT_REASONS),
        officer=ids,
        ref=st.none() | ids,
    ),
)

records = st.builds(
    r.Record,
    kiosk=ids,
    seq=st.integers(1, 2**63 - 1),
    prev=hex64,
    boot=ids,
    wall_ms=st.integers(0, 2**53 - 1),
    mono_ms=st.integers(0, 2**53 - 1),
    body=bodies,
)
