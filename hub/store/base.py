"""The one base of every hub table: declared unbound, bound once at start-up by `hub.store`."""

from __future__ import annotations

import peewee as pw


class BaseModel(pw.Model):
    class Meta:
        database = None  # bound by hub.store.schema.bind_all
