"""Master data · CSV import page: upload shows a preview and line-numbered errors, nothing changes
until the officer confirms a file without errors, and then every row is saved and ledgered."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing.user import User

from hub.store.masterdata import Inmate, StandardTime
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    login,
    open_site,
    rows,
    web,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


async def upload(user: User, text: str) -> None:
    old = {e.id for e in marked(user, "import-count")}
    element = user.find(kind=ui.upload, marker="import-upload").elements.pop()
    await element.handle_uploads(  # type: ignore[attr-defined]
        [SmallFileUpload(name="data.csv", content_type="text/csv", _data=text.encode())]
    )
    for _ in range(100):  # the file is checked in a worker thread
        if {e.id for e in marked(user, "import-count")} - old:
            return
        await asyncio.sleep(0.02)


def marked(user: User, marker: str) -> list[Any]:
    """Elements with `marker` on the page now (none is an answer, not an error)."""
    return [e for e in user.client.elements.values() if marker in e._markers]  # type: ignore[union-attr]


def error_texts(user: User) -> list[str]:
    return [e.text for e in marked(user, "import-error")]


async def test_standard_time_file_with_errors_is_previewed_and_not_imported(site: Site) -> None:
    """The preview lists the good rows and each bad line's reason; confirming imports nothing."""
    text = "product,step,seconds,valid_from,reason\nP1,S1,50,2025-12-01,改进\nP1,S2,0,2025-12-01,错误\n"
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/import")
        choose(user, "import-kind", "standard_times")
        await upload(user, text)
        assert error_texts(user) == ["第 3 行: 标准工时必须大于 0"]
        await user.should_see("文件有 1 处错误,未导入任何数据。请修改后重新上传。")
        assert [r["line"] for r in rows(user, "import-preview")] == [2]
        await click_and_see(user, "import-confirm", "请先上传一个无错误的文件")
    assert StandardTime.select().count() == 2
    assert site.actions() == []


async def test_a_valid_standard_time_file_is_imported_only_on_confirm(site: Site) -> None:
    """Upload changes nothing; 确认导入 saves every row, each ledgered with the officer as actor."""
    text = "product,step,seconds,valid_from,reason\nP1,S1,50,2025-12-01,改进\nP1,S2,40.5,2025-12-01,改进\n"
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/import")
        choose(user, "import-kind", "standard_times")
        await upload(user, text)
        assert error_texts(user) == []
        assert [(r["step"], r["seconds"]) for r in rows(user, "import-preview")] == [
            ("S1", "50"),
            ("S2", "40.5"),
        ]
        assert StandardTime.select().count() == 2
        await click_and_see(user, "import-confirm", "已导入 2 行")
    assert StandardTime.select().where(StandardTime.valid_from == "2025-12-01").count() == 2
    assert site.actions() == ["standard_time.set", "standard_time.set"]
    assert {e.actor for e in site.ledger.entries()} == {"labor"}


async def test_an_area_head_imports_inmates_of_their_area_only(site: Site) -> None:
    """Head of A: a row for area B is an error on its line; the corrected file imports both rows."""
    bad = "id,number,name,quota_pct,area\nN1,N1,<i>王五</i>,90,A\nN2,N2,赵六,100,B\n"
    good = "id,number,name,quota_pct,area\nN1,N1,<i>王五</i>,90,A\nN2,N2,赵六,100,A\n"
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/import")
        await user.should_not_see("标准工时")  # only the labor section imports standard times
        await upload(user, bad)
        assert error_texts(user) == ["第 3 行: 只能修改本监区(A)的数据"]
        await upload(user, good)
        assert error_texts(user) == []
        assert rows(user, "import-preview")[0]["name"] == "<i>王五</i>"
        await click_and_see(user, "import-confirm", "已导入 2 行")
    assert Inmate.get_by_id("N1").quota_pct == "90"
    assert site.actions() == ["inmate.add", "inmate.add"]


async def test_a_file_that_became_invalid_before_confirm_changes_nothing(site: Site) -> None:
    """Checked again on confirm: an id added meanwhile makes the whole file fail, no row is saved."""
    text = "id,number,name,area\nN1,N1,甲,A\nN2,N2,乙,A\n"
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/import")
        await upload(user, text)
        assert error_texts(user) == []
        site.store.add_inmate("labor", "N2", number="N2", name="别人先加的", area="A")
        user.find(marker="import-confirm").click()
        for _ in range(100):
            if error_texts(user):
                break
            await asyncio.sleep(0.02)
        assert error_texts(user) == ["第 3 行: 编号 N2 已存在"]
    assert Inmate.get_or_none(Inmate.id == "N1") is None
    assert site.actions() == ["inmate.add"]


async def test_a_line_officer_is_refused_the_import_page(site: Site) -> None:
    """Line officers only read master data: the import page is refused by the server."""
    async with web(site) as user:
        await login(user, "off_a1")
        await user.open("/masterdata/import")
        await user.should_see(marker="refused")
