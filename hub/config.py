"""The hub's configuration: a TOML file, read into a typed model that rejects unknown keys.

    site = "jx-prison-3"                 # site id: MQTT topics, acks and plans carry it
    key_file = "hub.key"                 # the hub's Ed25519 key (created by `floorledger hub init`)
    database = "hub.db"                  # SQLite file (default) or postgresql://user@host/db
    broker = "mqtt://127.0.0.1:1883"     # or mqtts://host:8883 with the TLS files below
    timezone = "Asia/Shanghai"           # a *day* is a local date in this zone
    correction_window_days = 7           # how far back officers may correct records
    checkpoint_minutes = 10              # sign and publish a checkpoint this often when the log grew
    month_publish_days = 5               # the area head's approval publishes the month this long (公示)

    [broker_tls]                         # optional: files for mqtts:// and broker credentials
    ca_file = "ca.pem"
    cert_file = "hub.pem"
    key_file = "hub-key.pem"
    password_file = "broker.pw"

    [web]
    host = "0.0.0.0"
    port = 8443
    cert_file = "https.crt"              # with key_file: HTTPS only (plain HTTP is not served)
    key_file = "https.key"               # the dashboard's certificate and key (`floorledger site init`)

    [board]
    privacy = "masked"                   # full | masked | number_only
    seconds_per_page = 10

    [export]                             # the files for the scoring database (docs/exports.md)
    columns = ["number", "name", "month", "labor_points"]  # which columns, in this order (default: all)
    encoding = "gb18030"                 # CSV: utf-8 | utf-8-sig (default) | gb18030
    lang = "zh"                          # header labels: zh (default) | en (the column codes)
    format = "csv"                       # what the push delivers: csv | xlsx | json
    daily_detail = false                 # the push adds each inmate's day rows

    [export.names]                       # the receiver's header for a column (default: ours)
    number = "罪犯编号"

    [export.push]                        # deliver each locked month (docs/exports.md, "Push")
    url = "https://scoring.example/import"   # POST the signed file here, and/or
    drop_folder = "/srv/scoring-drop"        # write it (and FILE.sig) into this folder
    ca_file = "scoring-ca.pem"           # trust this CA for the URL (default: the system's)
    verify = true                        # false: no certificate check (a test bench only)
    day = 0                              # 0: when the month locks; 1-28: on that day of the next month
    retry_s = 30                         # a failed delivery is retried after 30 s, 60 s, ... up to
    retry_max_s = 3600                   # one hour between attempts, until the receiver answers 2xx

Relative paths are relative to the config file's folder. Every problem raises `ConfigError` with one
line naming the field, e.g. `web.port: expected an integer 1-65535, got "80a"`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from floorledger.base import i18n
from floorledger.base.mqtt_url import BrokerConfig
from hub.errors import HubError
from protocol import fields as pf
from protocol.errors import ProtocolError

PRIVACY = ("full", "masked", "number_only")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")  # CSV encodings a scoring database may ask for
EXPORT_FORMATS = ("csv", "xlsx", "json")


class ConfigError(HubError):
    """A config file the hub cannot run with; the message is one line naming the field.

    The installer reads it at the command line: the problem itself is English (it quotes field names
    and values from the file), the Chinese text only leads into it.
    """

    def __init__(self, problem: str) -> None:
        super().__init__("config.problem", problem=problem)


i18n.register({"config.problem": {"zh": "配置有误：{problem}", "en": "{problem}"}})


@dataclass(frozen=True, slots=True, kw_only=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    cert_file: Path | None = None  # PEM certificate (chain) of the dashboard; with key_file: HTTPS only
    key_file: Path | None = None

    @property
    def https(self) -> bool:
        return self.cert_file is not None and self.key_file is not None

    @property
    def scheme(self) -> str:
        return "https" if self.https else "http"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardConfig:
    privacy: str = "masked"
    seconds_per_page: float = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsFiles:
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    password_file: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PushConfig:
    """Where each locked month goes by itself: an HTTPS endpoint, a drop folder, or both."""

    url: str | None = None
    drop_folder: Path | None = None
    ca_file: Path | None = None  # the receiver's CA (PEM); None: the system's trust store
    verify: bool = True
    day: int = 0  # 0: when the month locks; 1-28: not before that day of the next month
    timeout_s: float = 30.0
    retry_s: int = 30  # the first retry's wait; doubled at each failure up to retry_max_s
    retry_max_s: int = 3600

    @property
    def enabled(self) -> bool:
        return self.url is not None or self.drop_folder is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportConfig:
    """The column mapping of the export files (checked against the columns by `hub.review.exports`:
    this layer does not know them) and the push."""

    columns: tuple[str, ...] | None = None  # None: every column in the documented order
    names: tuple[tuple[str, str], ...] = ()  # (column code, the receiver's header)
    encoding: str = "utf-8-sig"
    lang: str = "zh"
    format: str = "csv"
    daily_detail: bool = False
    push: PushConfig = field(default_factory=PushConfig)


@dataclass(frozen=True, slots=True, kw_only=True)
class HubConfig:
    """Everything `floorledger hub` needs; see the module docstring for the file format."""

    site: str
    key_file: Path
    database: str
    broker: str = "mqtt://127.0.0.1:1883"
    broker_tls: TlsFiles = field(default_factory=TlsFiles)
    web: WebConfig = field(default_factory=WebConfig)
    timezone: str = "Asia/Shanghai"
    board: BoardConfig = field(default_factory=BoardConfig)
    correction_window_days: int = 7
    checkpoint_minutes: int = 10  # kiosks witness what is published (0: daily and on demand only)
    export: ExportConfig = field(default_factory=ExportConfig)
    month_publish_days: int = 5  # days the monthly result stays on the boards for inmates to check

    @property
    def broker_config(self) -> BrokerConfig:
        tls = self.broker_tls
        return BrokerConfig.from_url(
            self.broker,
            ca_file=tls.ca_file,
            cert_file=tls.cert_file,
            key_file=tls.key_file,
            password_file=tls.password_file,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_TOP = (
    "site",
    "key_file",
    "database",
    "broker",
    "broker_tls",
    "web",
    "timezone",
    "board",
    "correction_window_days",
    "checkpoint_minutes",
    "export",
    "month_publish_days",
)


def _keys(table: dict[str, Any], known: tuple[str, ...], place: str) -> None:
    for key in table:
        if key not in known:
            where = f"{place}.{key}" if place else key
            raise ConfigError(f"{where}: unknown setting (known: {', '.join(known)})")


def _text(table: dict[str, Any], key: str, place: str, default: str | None = None) -> str:
    value = table.get(key, default)
    where = f"{place}.{key}" if place else key
    if value is None:
        raise ConfigError(f"{where}: required setting is missing")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected non-empty text, got {value!r}")
    return value


def _int(table: dict[str, Any], key: str, place: str, default: int, lo: int, hi: int) -> int:
    value = table.get(key, default)
    where = f"{place}.{key}" if place else key
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{where}: expected an integer {lo}-{hi}, got {value!r}")
    return value


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table [{key}], got {value!r}")
    return value


def _choice(table: dict[str, Any], key: str, place: str, default: str, known: tuple[str, ...]) -> str:
    value = _text(table, key, place, default)
    if value not in known:
        raise ConfigError(f"{place}.{key}: expected one of {', '.join(known)}, got {value!r}")
    return value


def _bool(table: dict[str, Any], key: str, place: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{place}.{key}: expected true or false, got {value!r}")
    return value


def _export(raw: dict[str, Any], base: Path) -> ExportConfig:
    """[export], [export.names] and [export.push]; the column codes themselves are checked by
    `hub.review.exports.layout` when the hub or a command starts (it owns them)."""
    table = _table(raw, "export")
    _keys(table, ("columns", "names", "encoding", "lang", "format", "daily_detail", "push"), "export")
    columns: tuple[str, ...] | None = None
    if "columns" in table:
        listed = table["columns"]
        if not isinstance(listed, list) or not listed:
            raise ConfigError(f"export.columns: expected a non-empty list of column codes, got {listed!r}")
        for n, code in enumerate(listed):
            if not isinstance(code, str) or not code.strip():
                raise ConfigError(f"export.columns[{n}]: expected a column code, got {code!r}")
            if code in listed[:n]:
                raise ConfigError(f"export.columns[{n}]: column {code!r} is listed twice")
        columns = tuple(listed)
    names = _table(table, "names") if "names" in table else {}
    for code, name in names.items():
        if not isinstance(name, str) or not name.strip() or any(ch in name for ch in "\r\n"):
            raise ConfigError(f"export.names.{code}: expected a header of one line, got {name!r}")
    headers = [n.strip() for n in names.values()]
    for code, name in names.items():
        if headers.count(name.strip()) > 1:
            raise ConfigError(f"export.names.{code}: header {name!r} is given to two columns")
    push_raw = _table(table, "push") if "push" in table else {}
    _keys(
        push_raw,
        ("url", "drop_folder", "ca_file", "verify", "day", "timeout_s", "retry_s", "retry_max_s"),
        "export.push",
    )
    url = _text(push_raw, "url", "export.push") if "url" in push_raw else None
    if url is not None and not url.startswith("https://"):
        raise ConfigError(f"export.push.url: expected an https:// address, got {url!r}")
    timeout = push_raw.get("timeout_s", 30)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 1 <= timeout <= 600:
        raise ConfigError(f"export.push.timeout_s: expected a number of seconds 1-600, got {timeout!r}")
    push = PushConfig(
        url=url,
        drop_folder=_path(base, _text(push_raw, "drop_folder", "export.push"))
        if "drop_folder" in push_raw
        else None,
        ca_file=_path(base, _text(push_raw, "ca_file", "export.push")) if "ca_file" in push_raw else None,
        verify=_bool(push_raw, "verify", "export.push", True),
        day=_int(push_raw, "day", "export.push", 0, 0, 28),
        timeout_s=float(timeout),
        retry_s=_int(push_raw, "retry_s", "export.push", 30, 1, 86_400),
        retry_max_s=_int(push_raw, "retry_max_s", "export.push", 3600, 1, 7 * 86_400),
    )
    return ExportConfig(
        columns=columns,
        names=tuple((str(k), str(v).strip()) for k, v in names.items()),
        encoding=_choice(table, "encoding", "export", "utf-8-sig", ENCODINGS),
        lang=_choice(table, "lang", "export", "zh", ("zh", "en")),
        format=_choice(table, "format", "export", "csv", EXPORT_FORMATS),
        daily_detail=_bool(table, "daily_detail", "export", False),
        push=push,
    )


def _path(base: Path, text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def parse_config(raw: dict[str, Any], base: Path) -> HubConfig:
    """A HubConfig from parsed TOML; relative paths are taken from `base`."""
    _keys(raw, _TOP, "")
    site = _text(raw, "site", "")
    try:
        pf.ident(site, "site")
    except ProtocolError:
        raise ConfigError(
            f"site: {site!r} must be 1-64 of A-Z a-z 0-9 . _ - (it is an MQTT topic level)"
        ) from None
    key_file = _path(base, _text(raw, "key_file", "", "hub.key"))
    database = _text(raw, "database", "", "hub.db")
    if not database.startswith(("postgresql://", "postgres://", "sqlite:///")):
        if "://" in database:
            raise ConfigError(
                f"database: expected a file path, sqlite:/// or postgresql://, got {database!r}"
            )
        database = str(_path(base, database))
    broker = _text(raw, "broker", "", "mqtt://127.0.0.1:1883")
    if not broker.startswith(("mqtt://", "mqtts://")):
        raise ConfigError(f"broker: expected mqtt://host:port or mqtts://host:port, got {broker!r}")
    tls_raw = _table(raw, "broker_tls")
    _keys(tls_raw, ("ca_file", "cert_file", "key_file", "password_file"), "broker_tls")
    tls = TlsFiles(**{k: _path(base, _text(tls_raw, k, "broker_tls")) for k in tls_raw})
    web_raw = _table(raw, "web")
    _keys(web_raw, ("host", "port", "cert_file", "key_file"), "web")
    web_files = {k: _path(base, _text(web_raw, k, "web")) for k in ("cert_file", "key_file") if k in web_raw}
    if len(web_files) == 1:
        missing = ({"cert_file", "key_file"} - set(web_files)).pop()
        raise ConfigError(f"web.{missing}: required with web.{next(iter(web_files))} (HTTPS needs both)")
    web = WebConfig(
        host=_text(web_raw, "host", "web", "127.0.0.1"),
        port=_int(web_raw, "port", "web", 8080, 1, 65535),
        **web_files,
    )
    timezone = _text(raw, "timezone", "", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: unknown time zone {timezone!r} (e.g. Asia/Shanghai)") from None
    board_raw = _table(raw, "board")
    _keys(board_raw, ("privacy", "seconds_per_page"), "board")
    privacy = _text(board_raw, "privacy", "board", "masked")
    if privacy not in PRIVACY:
        raise ConfigError(f"board.privacy: expected one of {', '.join(PRIVACY)}, got {privacy!r}")
    seconds = board_raw.get("seconds_per_page", 10)
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 2 <= seconds <= 600:
        raise ConfigError(f"board.seconds_per_page: expected a number of seconds 2-600, got {seconds!r}")
    return HubConfig(
        site=site,
        key_file=key_file,
        database=database,
        broker=broker,
        broker_tls=tls,
        web=web,
        timezone=timezone,
        board=BoardConfig(privacy=privacy, seconds_per_page=float(seconds)),
        correction_window_days=_int(raw, "correction_window_days", "", 7, 0, 366),
        checkpoint_minutes=_int(raw, "checkpoint_minutes", "", 10, 0, 24 * 60),
        export=_export(raw, base),
        month_publish_days=_int(raw, "month_publish_days", "", 5, 1, 31),
    )


def load_config(path: Path) -> HubConfig:
    """Read and check a config file; `ConfigError` (one line, naming the field) for any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read config file {path}: {err}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    return parse_config(raw, path.resolve().parent)
