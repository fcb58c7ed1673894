"""The hub's web side: officers' dashboard (accounts, roles, pages) and the wall boards.

The hub app builds a `WebContext` and calls `register_pages(context)` once before `ui.run(...,
storage_secret=...)` (sessions need the storage secret).
"""

from __future__ import annotations

from hub.web.context import ResultsFeed, WebContext

__all__ = ["ResultsFeed", "WebContext", "register_pages"]


def register_pages(context: WebContext) -> None:
    """Create the web tables and mount every page: /login, /, /floor, /kiosks, /users, /board/<target>."""
    from hub.store.db import bind
    from hub.web import auth
    from hub.web.audit import register_audit
    from hub.web.board import tokens as boards
    from hub.web.board.page import register_board
    from hub.web.floor import register_floor
    from hub.web.kiosks import register_kiosks
    from hub.web.login import register_login
    from hub.web.masterdata.pages import register_masterdata
    from hub.web.review.assessment import register_assessment
    from hub.web.review.daily import register_review, review_desk
    from hub.web.review.trends import register_trends
    from hub.web.users import register_users

    bind(context.db, [*auth.MODELS, *boards.MODELS])
    if context.results is not None:
        context.results.on_change(context.feed.notify)
    register_login(context)
    register_floor(context)
    register_kiosks(context)
    register_users(context)
    register_review(context, review_desk(context, on_answer=context.refresh_plan))
    register_masterdata(context, context.masterdata)
    register_assessment(context)
    register_trends(context)
    register_audit(context)
    register_board(context)
