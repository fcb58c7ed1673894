"""hub.web.board.page."""
