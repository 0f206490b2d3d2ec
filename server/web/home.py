"""The start page: the surveys that are open now."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from server import clock
from surveys.waves.lookup import open_waves


@get("/", name="home")
async def start_page() -> Template:
    waves = await open_waves(clock.now())
    return Template("home.html", context={"waves": waves})
