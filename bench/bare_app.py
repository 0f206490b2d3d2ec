"""The baselines for bench/load_submit.py: a bare Litestar app on the same database engine as effekt.

    EFFEKT_DATABASE_URL=sqlite:////tmp/bare.sqlite python bench/bare_app.py --port 8100

- `POST /insert` reads a small JSON body and does one Piccolo INSERT into its own table, inside
  `surveys.db.engine.write_transaction()` (SQLite: WAL, one in-process writer lock, an IMMEDIATE transaction;
  PostgreSQL: a pooled connection), so the baseline pays the same write discipline effekt does.
- `GET /` returns a tiny HTML page.

Nothing else: no templates, sessions, CSRF, locale or security middleware. It is served by uvicorn with
the options `effekt serve` uses, so the difference to effekt is effekt's own work.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import msgspec
from litestar import Litestar, MediaType, Response, get, post
from piccolo.columns import Varchar
from piccolo.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from surveys.db import engine as db  # noqa: E402

PAGE = '<!doctype html><html lang="sv"><head><title>bare</title></head><body><p>bare</p></body></html>'


class BenchRow(Table, tablename="bench_row"):
    submission_key = Varchar(length=64, unique=True)


class InsertIn(msgspec.Struct):
    submission_key: str
    answers: dict[str, object] = {}


class InsertOut(msgspec.Struct):
    status: str


@asynccontextmanager
async def database(_app: Litestar) -> AsyncIterator[None]:
    url = os.environ.get("EFFEKT_DATABASE_URL", "sqlite:///var/bare.sqlite")
    # Points effekt's tables (which write_transaction() looks at) and this one at the same engine.
    BenchRow._meta.db = db.use_database(url)
    await db.prepare_database()  # WAL on SQLite, as effekt's migrate does
    await BenchRow.create_table(if_not_exists=True)
    pooled = await db.start_pool()  # effekt's default pool size on PostgreSQL
    try:
        yield
    finally:
        if pooled:
            await db.close_pool()


@post("/insert", status_code=201)
async def insert(data: InsertIn) -> InsertOut:
    async with db.write_transaction():
        await BenchRow.insert(BenchRow(submission_key=data.submission_key))
    return InsertOut("created")


@get("/", media_type=MediaType.HTML)
async def page() -> Response[str]:
    return Response(PAGE, media_type=MediaType.HTML)


app = Litestar(route_handlers=[insert, page], lifespan=[database], debug=False)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.getLogger("piccolo").setLevel(logging.WARNING)  # as effekt's CLI does
    # The same options as `effekt serve` (server/cli.py), loopback only.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        workers=1,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
