"""How a master-data change is made, whatever it changes: the acting officer's scope is checked
(`hub.accounts`), the change runs in one write transaction with its month-lock guard and its ledger
entry, and listeners hear of it after the commit.

`MasterData` (hub/masterdata/service.py) is built on this; the changes themselves are there and in
hub/masterdata/people.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import peewee as pw

from hub.accounts import Principal
from hub.masterdata.checks import MasterDataError, ScopeError
from hub.masterdata.locks import MonthGuards, MonthLocked
from hub.store.db import write_transaction
from hub.store.masterdata import Inmate, Product

log = logging.getLogger(__name__)

RecordAct = Callable[[str, str, str, dict[str, Any]], None]
"""`record_act(actor, action, subject, payload)`: the ledger's hook, called inside the transaction."""

Actor = Principal | str
"""Who changes: an officer through the dashboard (their scope applies) or the hub's set-up code
(seed, demo, tests) by a plain name, trusted because it has no account and no dashboard session."""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def actor_name(actor: Actor) -> str:
    """The name the ledger records for `actor`."""
    return actor.username if isinstance(actor, Principal) else actor


class Changes:
    """How every master-data change is made: checked for scope, guarded, ledgered, announced.

    `month_locked(month, area)` is required, so no hub runs without the lock (`hub.review.lock`
    answers it). `record_act(actor, action, subject, payload)` is called inside the change's transaction (a
    failing ledger write rolls the change back); `on_change` listeners get the action name after
    the commit and must not raise (they are logged and skipped if they do).
    """

    def __init__(
        self,
        db: pw.Database,
        *,
        month_locked: MonthLocked,
        record_act: RecordAct | None = None,
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.db = db
        self.record_act = record_act
        self.clock_ms = clock_ms
        self.locks = MonthGuards(month_locked, clock_ms)
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def _act(
        self,
        actor: Actor,
        action: str,
        subject: str,
        payload: dict[str, Any],
        change: Callable[[], Any],
        guard: Callable[[], None] | None = None,
    ) -> Any:
        with write_transaction(self.db):  # BEGIN IMMEDIATE on SQLite: reads then writes never deadlock
            if guard is not None:  # checked under the write lock: no approval can slip in between
                guard()
            result = change()
            if self.record_act is not None:
                self.record_act(actor_name(actor), action, subject, payload)
        for listener in list(self._listeners):
            try:
                listener(action)
            except Exception:  # a broken listener must not undo a committed change
                log.exception("master-data listener failed after %s", action)
        return result

    def _scope(self, actor: Actor, area: str | None, *areas: str | None) -> None:
        """ScopeError unless `actor` may change what belongs to `area` (and each of `areas`)."""
        if not isinstance(actor, Principal):
            return  # the hub's set-up code: no account, trusted
        for one in (area, *areas):
            if not actor.may_change_area(one):
                log.warning(
                    "refused %s (%s) a master-data change in %s", actor.username, actor.role, one or "*"
                )
                raise ScopeError("md.err.scope")

    def _officer_scope(self, actor: Actor, role: str, area: str | None) -> None:
        if isinstance(actor, Principal) and not actor.may_manage_officer(role, area):
            log.warning("refused %s (%s) an officer change in %s", actor.username, actor.role, area or "*")
            raise ScopeError("md.err.scope")

    def _require_inmate(self, inmate: str) -> Inmate:
        row: Inmate | None = Inmate.get_or_none(Inmate.id == inmate)
        if row is None:
            raise MasterDataError("md.data.unknown_inmate", inmate=inmate)
        return row

    def _require_product(self, product: str) -> None:
        if Product.get_or_none(Product.code == product) is None:
            raise MasterDataError("md.data.unknown_product", product=product)
