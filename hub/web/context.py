"""`WebContext`: everything the dashboard and the wall boards need from the running hub.

The hub app builds one and calls `hub.web.register_pages(context)` once before `ui.run`. Fields:

- `db`: the hub's bound peewee database (the web tables `web_user` and `web_board_token` are
  created in it by `register_pages`).
- `site`: the site's display name (page header).
- `timezone`: the site's zone; a *day* on the board is a local date in it.
- `board_settings`: privacy (full | masked | number_only), seconds per page, rows per page.
- `board_source`: where board snapshots come from (default: the hub's master data and results,
  `hub.web.board.source.HubBoardSource`).
- `published`: `published(target, today) -> [Published]`, the weekly reviews officers published to
  this board (公示) and still within their days; None until the weekly-review page provides it.
- `feed`: the results feed; pass `context.feed.notify` to the results notifier (or let
  `register_pages` subscribe it when `results` has `subscribe`) so boards refresh within a second.
- `results`, `ledger`, `enrollment`, `checkpoints`, `masterdata`, `corrections`, `capture`, `assessment`: the
  hub's own services (`hub.app.build_services`), used when present (`None` otherwise: the pages that
  need them say the function is not available, or still build their own until they take these).
  Officers' acts (board tokens, enrollment) are appended to `ledger` when it is given.
- `config`: the hub's configuration (None in tests that build a context by hand).
- `live`: whether the hub is receiving (e.g. `lambda: app.mqtt.connected()`); while it says False
  boards keep their rows marked 数据未更新. None: live whenever the data can be read.
- `idle_timeout_s`, `lock_minutes`: session idle timeout (default 15 min) and lock-out duration.
- `clock`: epoch milliseconds (tests inject a stepping clock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import peewee

from hub.config import HubConfig
from hub.kiosks.enrollment import Enrollment
from hub.ledger.checkpoints import CheckpointLog
from hub.ledger.entries import Ledger
from hub.masterdata.service import MasterData
from hub.results.worker import Results
from hub.review.capture import Capture
from hub.review.corrections import Corrections
from hub.review.monthly import Assessment
from hub.web.auth import DEFAULT_LOCK_MS, Accounts, Clock, wall_ms
from hub.web.board.model import BoardSettings, BoardSnapshot, Published
from hub.web.board.source import HubBoardSource
from hub.web.board.tokens import BoardTokens


class BoardSource(Protocol):
    def snapshot(self, target: str, *, day: date, today: date) -> BoardSnapshot:
        """The board of `target` (a line or area code) showing `day`, with `today`'s live strip."""
        ...


class ResultsFeed:
    """A change counter the results notifier bumps from any thread; boards poll it on their timers.

    A counter instead of pushing into UI code from the ingest thread: the notifier can never block
    or raise into ingest, and a board that misses a notice still sees the counter has moved.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def notify(self, *_args: object, **_kwargs: object) -> None:
        with self._lock:
            self._version += 1


@dataclass(kw_only=True)
class WebContext:
    db: peewee.Database
    site: str = "FloorLedger"
    timezone: str = "Asia/Shanghai"
    board_settings: BoardSettings = field(default_factory=BoardSettings)
    board_source: BoardSource | None = None
    published: Callable[[str, date], Sequence[Published]] | None = None
    live: Callable[[], bool] | None = None
    feed: ResultsFeed = field(default_factory=ResultsFeed)
    results: Results | None = None
    ledger: Ledger | None = None
    enrollment: Enrollment | None = None
    checkpoints: CheckpointLog | None = None
    corrections: Corrections | None = None
    capture: Capture | None = None  # rule book v2 grades, rejects and deductions
    assessment: Assessment | None = None
    config: HubConfig | None = None
    masterdata: MasterData | None = None  # the hub's, so page changes reach its plan and result listeners
    refresh_plan: Callable[[str], object] | None = None  # republish one line's plan (e.g. a dispute answer)
    idle_timeout_s: float = 15 * 60
    lock_minutes: float = DEFAULT_LOCK_MS / 60_000
    clock: Clock = wall_ms
    accounts: Accounts = field(init=False)
    boards: BoardTokens = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.db, clock=self.clock, lock_ms=int(self.lock_minutes * 60_000))
        self.boards = BoardTokens(self.db, clock=self.clock)
        if self.board_source is None:
            self.board_source = HubBoardSource(self.db, published=self.published)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock() / 1000, self.zone)

    def today(self) -> date:
        return self.now().date()

    def record_act(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        """Append an officer's act to the hub's ledger when the hub gave us one."""
        if self.ledger is not None:
            self.ledger.append(actor, action, subject, payload)
