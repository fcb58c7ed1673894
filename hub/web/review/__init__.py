"""hub.web.review.daily."""
