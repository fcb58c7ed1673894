"""The hub's web side: officers' dashboard (accounts, roles, pages) and the wall boards.

`app_pages(app)` is the page registrar the command line gives `HubApp`: it builds the `WebContext`
from the running app's services and calls `register_pages(context)` once before `ui.run(...,
storage_secret=...)` (sessions need the storage secret), and installs the security headers and the
session cookie with the same secret (`hub.web.security`). The tables the pages use are created by the
schema's migrations (`hub.store.schema`), never here.
"""

from __future__ import annotations

from hub.app import HubApp
from hub.web.actions import register_actions
from hub.web.audit import register_audit
from hub.web.board.model import BoardSettings, Privacy
from hub.web.board.page import register_board
from hub.web.bottleneck import register_bottleneck
from hub.web.context import ResultsFeed, WebContext
from hub.web.floor import register_floor
from hub.web.inmate import register_inmate_page
from hub.web.kiosks import register_kiosks
from hub.web.login import register_login
from hub.web.masterdata.pages import register_masterdata
from hub.web.review.assessment import board_published, register_assessment
from hub.web.review.capture import register_capture
from hub.web.review.daily import register_review, review_desk
from hub.web.review.queue import register_queue
from hub.web.review.trends import register_trends
from hub.web.security import protect
from hub.web.skills import register_skills
from hub.web.suggestions import register_suggestions
from hub.web.users import register_users

__all__ = ["ResultsFeed", "WebContext", "app_pages", "register_pages"]


def register_pages(context: WebContext) -> None:
    """Mount every page: /login, /, /floor, /kiosks, /users, /review, /weekly, /monthly, /board/<target>."""
    if context.results is not None:
        context.results.on_change(context.feed.notify)
    register_login(context)
    register_floor(context)
    register_kiosks(context)
    register_users(context)
    register_review(context, review_desk(context, on_answer=context.refresh_plan))
    register_masterdata(context, context.masterdata)
    register_capture(context)
    register_assessment(context)
    register_trends(context)
    register_queue(context)
    register_inmate_page(context)
    register_skills(context)
    register_bottleneck(context)
    register_suggestions(context)
    register_actions(context)
    register_audit(context)
    register_board(context)


def app_pages(app: HubApp) -> None:
    """The dashboard and wall boards over the running hub's services (a `HubApp.pages` entry)."""
    assert app.db is not None, "pages are registered after start()"
    assert app.services is not None, "pages are registered after start()"
    services = app.services
    mqtt = app.mqtt
    settings = BoardSettings(
        privacy=Privacy(app.config.board.privacy), seconds_per_page=app.config.board.seconds_per_page
    )
    context = WebContext(
        db=app.db,
        site=app.config.site,
        timezone=app.config.timezone,
        board_settings=settings,
        results=services.results,
        ledger=services.ledger,
        enrollment=services.enrollment,
        checkpoints=services.checkpoints,
        corrections=services.corrections,
        capture=services.capture,
        assessment=services.assessment,
        config=app.config,
        clock=app.clock_ms,
        # The board is marked stale while the hub cannot hear the kiosks (broker lost).
        live=lambda: mqtt is not None and mqtt.connected,
        masterdata=services.masterdata,
        published=board_published(app.db),  # weekly reviews published to the boards (公示)
        refresh_plan=app.refresh_plan,
    )
    app.web_context = context
    protect(app.storage_secret(), context.idle_timeout_s)  # headers; a session cookie of 15 minutes
    register_pages(context)
