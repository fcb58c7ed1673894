"""Tables of the web side: dashboard accounts, wall-board tokens and export API tokens."""

from __future__ import annotations

import peewee
import peewee as pw

from hub.store.base import BaseModel

TOKEN_NAME_MAX = 64
USERNAME_MAX = 64
DISPLAY_NAME_MAX = 64
TARGET_MAX = 64
LABEL_MAX = 100


class ApiToken(BaseModel):
    """A bearer token for the export API; `token_hash` is SHA-256 of the token (the token is shown once)."""

    id = pw.AutoField()
    name = pw.CharField(max_length=TOKEN_NAME_MAX, unique=True)
    token_hash = pw.CharField(max_length=64, unique=True)
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()
    revoked_ms = pw.BigIntegerField(null=True)

    class Meta:
        database = None
        table_name = "export_api_token"


class User(BaseModel):
    """One officer's account. `lines` is a comma-separated list (line officers); `area` for area heads."""

    id = peewee.AutoField()
    username = peewee.CharField(max_length=USERNAME_MAX, unique=True)
    display_name = peewee.CharField(max_length=DISPLAY_NAME_MAX)
    role = peewee.CharField(max_length=32)
    lines = peewee.TextField(default="")
    area = peewee.CharField(max_length=64, null=True)
    password_hash = peewee.TextField()
    failed_attempts = peewee.IntegerField(default=0)
    locked_until_ms = peewee.BigIntegerField(null=True)
    active = peewee.BooleanField(default=True)
    created_ms = peewee.BigIntegerField()

    class Meta:
        table_name = "web_user"


class BoardToken(BaseModel):
    id = peewee.AutoField()
    token_hash = peewee.CharField(max_length=64, unique=True)
    target = peewee.CharField(max_length=TARGET_MAX)
    label = peewee.CharField(max_length=LABEL_MAX, default="")
    created_by = peewee.CharField(max_length=64)
    created_ms = peewee.BigIntegerField()
    revoked_by = peewee.CharField(max_length=64, null=True)
    revoked_ms = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "web_board_token"
