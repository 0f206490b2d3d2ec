"""Reach figures from analytics exports: what real files look like, and what a communicator is told."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from surveys.db import engine as db
from surveys.db.tables import ReachFigure
from surveys.errors import Invalid
from surveys.plans.plan_file import parse_plan, store_plan
from surveys.plans.reach import (
    MAX_BYTES,
    MAX_ROWS,
    ImportDefaults,
    ReachPreview,
    ReachRow,
    import_reach,
    parse_reach_csv,
    plan_vocabulary,
    store_reach,
    validate_manual,
)
from tests.support import PLAN

SAMPLES = Path(__file__).parent / "reach_samples"

REACH_PLAN = copy.deepcopy(PLAN)
REACH_PLAN["channels"] += [
    {"code": "gnv-webb", "name": "GNV-webb"},
    {"code": "extern-webb", "name": "Extern webb"},
    {"code": "li-region", "name": "LinkedIn Region Västernorrland"},
    {"code": "li-ovik", "name": "LinkedIn Örnsköldsviks kommun"},
]
REACH_PLAN["activities"] = [
    {
        "code": "nyhet-halsam-uppdraget",
        "title": "Nyhet: Hälsam uppdraget",
        "timing": "Mars",
        "channels": ["intranat"],
        "target_groups": ["medarbetare"],
    },
    {
        "code": "nyhet-fardplanen-2026",
        "title": "Nyhet: Färdplanen 2026",
        "timing": "April",
        "channels": ["intranat", "gnv-webb"],
        "target_groups": ["chefer"],
    },
]
CHANNELS = {c["code"]: c["name"] for c in REACH_PLAN["channels"]}
ACTIVITIES = {a["code"]: a["title"] for a in REACH_PLAN["activities"]}


def parse(data: bytes | str, **defaults) -> ReachPreview:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_reach_csv(raw, channels=CHANNELS, activities=ACTIVITIES, defaults=ImportDefaults(**defaults))


def sample(name: str, **defaults) -> ReachPreview:
    return parse((SAMPLES / name).read_bytes(), **defaults)


def figures(preview: ReachPreview) -> list[tuple]:
    return [(r.line, r.channel, r.period_start, r.period_end, r.metric, r.value, r.url) for r in preview.rows]


def only_value(preview: ReachPreview) -> int:
    assert preview.ok, (preview.file_errors, preview.errors)
    [row] = preview.rows
    return row.value


# --- the sample files -------------------------------------------------------------------------------------


def test_a_swedish_matomo_page_title_export_gives_views_and_unique_visitors_per_month():
    preview = sample("matomo_sidtitlar.csv", channel="gnv-webb")
    assert preview.ok and preview.encoding == "utf-8" and preview.delimiter == ";"
    march, april = (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30))
    plan = "Nära vård – färdplanen 2026"
    assert figures(preview) == [
        (2, "gnv-webb", *march, "views", 1234, plan),
        (2, "gnv-webb", *march, "unique_visitors", 987, plan),
        (3, "gnv-webb", *march, "views", 4210, "Hälsam uppdraget"),
        (3, "gnv-webb", *march, "unique_visitors", 3120, "Hälsam uppdraget"),
        (4, "gnv-webb", *april, "views", 2345, plan),
        (4, "gnv-webb", *april, "unique_visitors", 1876, plan),
    ]
    # "Unika sidvisningar" (unique page views) is not unique visitors: it is left out, and the user is told.
    assert preview.notes == (
        "Kolumnerna Unika sidvisningar, Avvisningsfrekvens, Genomsnittlig tid på sidan används inte.",
    )


def test_a_ga4_export_skips_its_comment_block_and_reads_comma_thousands_and_compact_dates():
    preview = sample("ga4_sidor.csv", channel="extern-webb")
    assert preview.ok and preview.delimiter == ","
    assert figures(preview) == [
        (
            10,
            "extern-webb",
            date(2026, 3, 30),
            date(2026, 3, 30),
            "views",
            1234,
            "/nara-vard/fardplanen-2026",
        ),
        (
            10,
            "extern-webb",
            date(2026, 3, 30),
            date(2026, 3, 30),
            "unique_visitors",
            987,
            "/nara-vard/fardplanen-2026",
        ),
        (
            11,
            "extern-webb",
            date(2026, 3, 31),
            date(2026, 3, 31),
            "views",
            856,
            "/nara-vard/halsam-uppdraget",
        ),
        (
            11,
            "extern-webb",
            date(2026, 3, 31),
            date(2026, 3, 31),
            "unique_visitors",
            701,
            "/nara-vard/halsam-uppdraget",
        ),
    ]


def test_a_windows_1252_linkedin_export_matches_channel_names_with_swedish_letters():
    data = (SAMPLES / "linkedin_1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the sample really is Windows-1252
    preview = sample("linkedin_1252.csv")
    assert preview.ok and preview.encoding == "cp1252"
    # LinkedIn's "Visningar" are impressions; its US dates (03/16/2026) are read month first.
    assert figures(preview) == [
        (2, "li-region", date(2026, 3, 2), date(2026, 3, 2), "impressions", 1204, ""),
        (2, "li-region", date(2026, 3, 2), date(2026, 3, 2), "clicks", 37, ""),
        (3, "li-ovik", date(2026, 3, 16), date(2026, 3, 16), "impressions", 856, ""),
        (3, "li-ovik", date(2026, 3, 16), date(2026, 3, 16), "clicks", 21, ""),
        (4, "li-region", date(2026, 3, 31), date(2026, 3, 31), "impressions", 2410, ""),
        (4, "li-region", date(2026, 3, 31), date(2026, 3, 31), "clicks", 64, ""),
    ]


def test_a_file_with_a_byte_order_mark_reads_its_first_column_and_finds_activities_by_name_or_code():
    assert (SAMPLES / "sitevision_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    preview = sample("sitevision_bom.csv", channel="intranat")
    assert preview.ok and preview.encoding == "utf-8-sig"
    assert [(r.activity, r.period_start, r.period_end, r.metric, r.value, r.url) for r in preview.rows] == [
        (
            "nyhet-halsam-uppdraget",
            date(2026, 3, 31),
            date(2026, 4, 30),
            "views",
            4210,
            "/nyheter/halsam-uppdraget",
        ),
        (
            "nyhet-halsam-uppdraget",
            date(2026, 3, 31),
            date(2026, 4, 30),
            "unique_visitors",
            1180,
            "/nyheter/halsam-uppdraget",
        ),
        (
            "nyhet-fardplanen-2026",
            date(2026, 4, 1),
            date(2026, 5, 31),
            "views",
            6930,
            "/nyheter/fardplanen-2026",
        ),
        (
            "nyhet-fardplanen-2026",
            date(2026, 4, 1),
            date(2026, 5, 31),
            "unique_visitors",
            2040,
            "/nyheter/fardplanen-2026",
        ),
    ]
    # The address wins over the page title; the title and the visits are named as unused.
    assert preview.notes == ("Kolumnerna Sidtitel, Besök används inte.",)


def test_bad_rows_get_line_numbered_swedish_messages_while_good_rows_still_preview():
    preview = sample("fel_rader.csv")
    assert not preview.file_errors
    assert [(r.line, r.channel, r.metric, r.value) for r in preview.rows] == [
        (2, "intranat", "views", 120),
        (2, "intranat", "unique_visitors", 80),
        (10, "intranat", "views", 1000),
        (10, "intranat", "unique_visitors", 700),
    ]
    messages = {e.line: e.message for e in preview.errors}
    assert preview.bad_lines == (3, 4, 5, 6, 8, 9)
    assert messages[3] == "Rad 3: 'tolv' är inte ett heltal i kolumnen Visningar."
    assert messages[4].startswith("Rad 4: kanalen 'Facebook' finns inte i planen. Använd någon av: ")
    assert "Intranät" in messages[4]
    assert messages[5] == "Rad 5: '12,5' i kolumnen Visningar har decimaler. Ett antal är ett heltal."
    assert messages[6].startswith("Rad 6: '2026-02-30' i kolumnen Datum är inget datum som går att läsa.")
    assert messages[8] == "Rad 8: '-5' i kolumnen Visningar är negativt. Ett antal är 0 eller mer."
    assert messages[9] == (
        "Rad 9: raden har 6 fält men rubrikraden har 5. Sätt citattecken runt värden som innehåller semikolon."
    )


def test_formula_looking_text_in_the_page_column_is_kept_as_plain_text():
    preview = sample("formler.csv")
    assert preview.ok
    assert [(r.url, r.value) for r in preview.rows] == [
        ('=HYPERLINK("http://example.invalid";"Klicka")', 10),
        ("+cmd|' /C calc'!A0", 20),
        ("@SUM(1+1)*cmd|' /C calc'!A0", 30),
        ("-2+3", 40),
    ]


# --- encodings and file shapes ----------------------------------------------------------------------------


def test_utf8_is_tried_first_so_a_utf8_file_is_never_misread_as_windows_1252():
    preview = parse("Datum;Kanal;Sidvisningar\n2026-03-01;Intranät;5\n")
    assert preview.encoding == "utf-8" and only_value(preview) == 5


def test_a_file_that_is_neither_utf8_nor_windows_1252_gets_one_file_error():
    preview = parse(b"Datum;Kanal;Sidvisningar\n2026-03-01;Intran\x81t;5\n")
    assert preview.rows == () and preview.errors == ()
    assert preview.file_errors == (
        "Filen går inte att läsa som text (varken UTF-8 eller Windows-1252). "
        "Spara den som ”CSV UTF-8” och försök igen.",
    )


def test_matomos_own_utf16_export_is_read():
    data = "Datum,Etikett,Sidvisningar\n2026-03-31,Färdplanen,7\n".encode("utf-16")
    preview = parse(data, channel="gnv-webb")
    assert preview.encoding == "utf-16" and only_value(preview) == 7


def test_an_excel_workbook_is_refused_with_advice_to_save_it_as_csv():
    preview = parse(b"PK\x03\x04" + b"\x00" * 100)
    assert len(preview.file_errors) == 1 and "spara den som" in preview.file_errors[0]


def test_excels_sep_line_sets_the_delimiter():
    preview = parse("sep=,\nDatum,Kanal,Sidvisningar\n2026-03-01,intranat,9\n")
    assert preview.delimiter == "," and only_value(preview) == 9


def test_a_tab_in_excels_sep_line_is_kept():
    preview = parse("sep=\t\nDatum\tKanal\tSidvisningar\n2026-03-01\tintranat\t9\n")
    assert preview.delimiter == "\t" and only_value(preview) == 9


def test_only_the_first_table_of_a_ga4_file_with_several_is_read():
    preview = parse(
        "# Start date: 20260301\n# End date: 20260331\nPage path,Views\n/a,5\n\n"
        "# ----------------------------------------\n# Nth day\nNth day,Views\n0000,3\n",
        channel="extern-webb",
    )
    assert [(r.url, r.value) for r in preview.rows] == [("/a", 5)] and preview.errors == ()
    assert preview.notes == ("Filen har fler tabeller efter rad 6. Bara den första tabellen läses in.",)


def test_line_numbers_count_comment_lines_blank_lines_and_line_breaks_inside_quotes():
    preview = parse(
        '# export\n\nDatum;Kanal;Sida;Sidvisningar\n2026-03-01;intranat;"två\nrader";1\n2026-03-02;intranat;/b;x\n'
    )
    assert [r.line for r in preview.rows] == [4]
    assert preview.rows[0].url == "två\nrader"
    assert [e.line for e in preview.errors] == [6]


def test_header_names_are_matched_case_insensitively_in_swedish_and_english():
    swedish = parse(
        "DATUM;KANAL;AKTIVITET;SIDA;SIDVISNINGAR;UNIKA BESÖKARE;EXPONERINGAR;KLICK\n"
        "2026-03-01;intranat;nyhet-fardplanen-2026;/a;1;2;3;4\n"
    )
    english = parse(
        "date,channel,activity,page path,pageviews,unique visitors,impressions,clicks\n"
        "2026-03-01,intranat,nyhet-fardplanen-2026,/a,1,2,3,4\n"
    )
    for preview in (swedish, english):
        assert preview.ok
        assert [(r.metric, r.value) for r in preview.rows] == [
            ("views", 1),
            ("unique_visitors", 2),
            ("impressions", 3),
            ("clicks", 4),
        ]
        assert {r.activity for r in preview.rows} == {"nyhet-fardplanen-2026"}


def test_linkedins_total_columns_win_over_its_organic_ones():
    preview = parse(
        "Date,Impressions (organic),Impressions (total),Clicks (organic),Clicks (total)\n03/31/2026,10,15,1,2\n",
        channel="li-region",
    )
    assert [(r.metric, r.value) for r in preview.rows] == [("impressions", 15), ("clicks", 2)]


def test_visningar_are_impressions_on_linkedin_rows_and_page_views_elsewhere():
    preview = parse(
        "Datum;Kanal;Visningar\n2026-03-01;LinkedIn Region Västernorrland;10\n2026-03-01;Intranät;20\n"
    )
    assert [(r.channel, r.metric, r.value) for r in preview.rows] == [
        ("li-region", "impressions", 10),
        ("intranat", "views", 20),
    ]


def test_two_columns_meaning_the_same_thing_are_refused():
    preview = parse("Datum;Kanal;Sidvisningar;Views\n2026-03-01;intranat;1;2\n")
    assert preview.file_errors == (
        "Kolumnerna Sidvisningar och Views betyder båda visningar. Ta bort den ena.",
    )


def test_a_file_without_any_count_column_is_refused_naming_the_accepted_headers():
    preview = parse("Datum;Kanal;Antal\n2026-03-01;intranat;1\n")
    assert len(preview.file_errors) == 1
    assert "Visningar, Unika besökare, Exponeringar eller Klick" in preview.file_errors[0]


@pytest.mark.parametrize("text", ["", "\n\n", "# bara kommentarer\n"])
def test_an_empty_file_is_refused(text):
    assert parse(text).file_errors == ("Filen är tom.",)


def test_a_file_with_only_a_header_is_refused():
    assert parse("Datum;Kanal;Klick\n").file_errors == ("Filen har en rubrikrad men inga rader med siffror.",)


# --- numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["1234", "1 234", "1\u00a0234", "1\u202f234", "1 234,00", " 1 234 "])
def test_counts_follow_swedish_conventions_in_a_semicolon_file(written):
    assert only_value(parse(f"Datum;Kanal;Sidvisningar\n2026-03-01;intranat;{written}\n")) == 1234


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("12,5", "'12,5' i kolumnen Sidvisningar har decimaler."),
        ("1,234", "'1,234' i kolumnen Sidvisningar har decimaler."),  # a Swedish comma is a decimal comma
        ("1.234", "'1.234' är inte ett heltal i kolumnen Sidvisningar."),
        ("12 34", "'12 34' är inte ett heltal i kolumnen Sidvisningar."),
        ("tolv", "'tolv' är inte ett heltal i kolumnen Sidvisningar."),
        ("−3", "'−3' i kolumnen Sidvisningar är negativt."),
        ("9 999 999 999", "'9 999 999 999' i kolumnen Sidvisningar är för stort"),
    ],
)
def test_a_count_that_is_not_a_whole_number_of_zero_or_more_is_a_row_error(written, message):
    preview = parse(f"Datum;Kanal;Sidvisningar\n2026-03-01;intranat;{written}\n")
    assert preview.rows == ()
    [error] = preview.errors
    assert error.line == 2 and error.message.startswith(f"Rad 2: {message}")


@pytest.mark.parametrize(
    ("written", "value"), [('"1,234"', 1234), ("1234.0", 1234), ("1 234", 1234), ("0", 0)]
)
def test_counts_follow_english_conventions_in_a_comma_file(written, value):
    assert only_value(parse(f"Date,Channel,Views\n2026-03-01,intranat,{written}\n")) == value


@pytest.mark.parametrize("written", ["12.5", '"1,23"'])
def test_an_english_fraction_is_a_row_error(written):
    preview = parse(f"Date,Channel,Views\n2026-03-01,intranat,{written}\n")
    assert preview.rows == () and len(preview.errors) == 1


def test_a_tab_separated_file_reads_numbers_in_the_language_of_its_header_names():
    english = parse('Date\tChannel\tViews\n2026-03-01\tintranat\t"1,234"\n')
    swedish = parse("Datum\tKanal\tSidvisningar\n2026-03-01\tintranat\t1,5\n")
    assert english.delimiter == "\t" and only_value(english) == 1234
    assert swedish.rows == () and "har decimaler" in swedish.errors[0].message


def test_an_empty_count_cell_gives_no_figure_but_a_row_without_any_count_is_an_error():
    preview = parse("Datum;Kanal;Sidvisningar;Klick\n2026-03-01;intranat;;4\n2026-03-02;intranat;;\n")
    assert [(r.metric, r.value) for r in preview.rows] == [("clicks", 4)]
    assert [e.message for e in preview.errors] == [
        "Rad 3: raden saknar siffror. Fyll i minst en av kolumnerna Sidvisningar, Klick."
    ]


# --- dates and periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2026-03-31", date(2026, 3, 31), date(2026, 3, 31)),
        ("31/3/2026", date(2026, 3, 31), date(2026, 3, 31)),
        ("31.3.2026", date(2026, 3, 31), date(2026, 3, 31)),
        ("20260331", date(2026, 3, 31), date(2026, 3, 31)),
        ("2026-03-31 00:00:00", date(2026, 3, 31), date(2026, 3, 31)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("202604", date(2026, 4, 1), date(2026, 4, 30)),
        ('"2026-03-30,2026-04-05"', date(2026, 3, 30), date(2026, 4, 5)),
        ("2026-03-30 – 2026-04-05", date(2026, 3, 30), date(2026, 4, 5)),
    ],
)
def test_every_supported_date_format_gives_the_right_period(written, start, end):
    preview = parse(f"Datum;Kanal;Klick\n{written};intranat;1\n")
    assert preview.ok, preview.errors
    assert (preview.rows[0].period_start, preview.rows[0].period_end) == (start, end)


def test_from_and_to_columns_give_a_period_and_a_backwards_one_is_an_error():
    preview = parse(
        "Från;Till;Kanal;Klick\n2026-03-01;2026-03-31;intranat;1\n2026-03-31;2026-03-01;intranat;2\n"
    )
    assert (preview.rows[0].period_start, preview.rows[0].period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert [e.message for e in preview.errors] == [
        "Rad 3: perioden slutar (2026-03-01) innan den börjar (2026-03-31)."
    ]


def test_an_ambiguous_slash_date_is_an_error_unless_the_file_or_the_user_settles_the_order():
    unsettled = parse("Datum;Kanal;Klick\n3/4/2026;intranat;1\n")
    assert [e.message for e in unsettled.errors] == [
        "Rad 2: '3/4/2026' i kolumnen Datum kan betyda både 2026-04-03 och 2026-03-04. Skriv datumet som ÅÅÅÅ-MM-DD."
    ]
    by_file = parse("Datum;Kanal;Klick\n3/4/2026;intranat;1\n25/4/2026;intranat;2\n")
    by_user = parse("Datum;Kanal;Klick\n3/4/2026;intranat;1\n", day_first=False)
    assert by_file.rows[0].period_start == date(2026, 4, 3)
    assert by_user.rows[0].period_start == date(2026, 3, 4)


def test_a_file_without_dates_takes_its_period_from_ga4s_comment_lines():
    preview = parse(
        "# Start date: 20260301\n# End date: 20260331\nPage path,Views\n/a,5\n",
        channel="extern-webb",
        period_start=date(2025, 1, 1),
    )
    assert (preview.rows[0].period_start, preview.rows[0].period_end) == (date(2026, 3, 1), date(2026, 3, 31))


def test_a_file_without_dates_takes_the_chosen_period_and_is_refused_without_one():
    chosen = parse(
        "Sida;Sidvisningar\n/a;5\n",
        channel="intranat",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
    )
    assert (chosen.rows[0].period_start, chosen.rows[0].period_end) == (date(2026, 4, 1), date(2026, 4, 30))
    one_day = parse("Sida;Sidvisningar\n/a;5\n", channel="intranat", period_start=date(2026, 4, 1))
    assert (one_day.rows[0].period_start, one_day.rows[0].period_end) == (date(2026, 4, 1), date(2026, 4, 1))
    refused = parse("Sida;Sidvisningar\n/a;5\n", channel="intranat")
    assert refused.file_errors == (
        "Filen saknar datum. Lägg till en kolumn Datum (eller Från och Till), "
        "eller ange perioden när du läser in filen.",
    )


# --- channels, activities and rows --------------------------------------------------------------------------


def test_a_file_without_a_channel_column_takes_the_chosen_channel_and_is_refused_without_one():
    assert sample("matomo_sidtitlar.csv", channel="gnv-webb").rows[0].channel == "gnv-webb"
    refused = sample("matomo_sidtitlar.csv")
    assert refused.rows == ()
    assert refused.file_errors == (
        "Filen säger inte vilken kanal siffrorna gäller. Välj kanal när du läser in filen, "
        "eller lägg till en kolumn Kanal.",
    )
    unknown = sample("matomo_sidtitlar.csv", channel="tidningen")
    assert unknown.file_errors == ("Kanalen tidningen finns inte i planen.",)


def test_an_unknown_activity_is_a_row_error_that_says_what_to_write():
    preview = parse("Datum;Kanal;Aktivitet;Klick\n2026-03-01;intranat;Julkalendern;1\n")
    assert [e.message for e in preview.errors] == [
        "Rad 2: aktiviteten 'Julkalendern' finns inte i planen. "
        "Skriv aktivitetens kod eller namn så som det står i planen."
    ]


def test_a_row_with_more_fields_than_the_header_is_an_error_but_trailing_empty_fields_are_not():
    preview = parse("Datum;Kanal;Klick\n2026-03-01;intranat;1;\n2026-03-02;intranat;2;3\n")
    assert [r.line for r in preview.rows] == [2]
    assert [e.line for e in preview.errors] == [3]


def test_the_same_figure_twice_in_one_file_is_an_error_naming_the_first_line():
    preview = parse("Datum;Kanal;Sida;Klick\n2026-03-01;intranat;/a;1\n2026-03-01;Intranät;/a;2\n")
    assert [r.value for r in preview.rows] == [1]
    assert preview.errors[0].message.startswith("Rad 3: samma siffra finns redan på rad 2")


def test_a_sum_row_is_skipped_and_noted():
    preview = parse("Date,Page path,Channel,Views\n2026-03-01,/a,intranat,5\n,Grand total,,5\n")
    assert [r.value for r in preview.rows] == [5] and preview.errors == ()
    assert "Rad 3 är en summeringsrad och läses inte in." in preview.notes


# --- limits -------------------------------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_it_is_read():
    line = b"2026-03-01;intranat;1\n"
    data = b"Datum;Kanal;Klick\n" + line * (MAX_BYTES // len(line) + 1)
    preview = parse(data)
    assert preview.rows == ()
    assert preview.file_errors == (
        "Filen är för stor (5,0 MB). Den får vara högst 5 MB. Dela upp den i flera filer.",
    )


def test_a_file_with_more_rows_than_the_limit_is_refused():
    data = "Kanal;Klick\n" + "intranat;1\n" * (MAX_ROWS + 1)
    preview = parse(data, period_start=date(2026, 3, 1))
    assert preview.rows == ()
    assert preview.file_errors == ("Filen har fler än 50\u00a0000 rader. Dela upp den i flera filer.",)


# --- manual entry -------------------------------------------------------------------------------------------


def manual(**fields):
    return validate_manual(fields, channels=CHANNELS, activities=ACTIVITIES)


def test_a_figure_typed_into_the_form_follows_the_same_rules_as_a_file():
    row, errors = manual(
        channel="Intranät",
        activity="nyhet-fardplanen-2026",
        period_start="2026-03",
        metric="views",
        value="1 234",
        url=" =1+1 ",
    )
    assert errors == {}
    assert row == ReachRow(
        "nyhet-fardplanen-2026", "intranat", date(2026, 3, 1), date(2026, 3, 31), "views", 1234, "=1+1"
    )


def test_a_metric_typed_by_name_is_understood_like_a_files_header():
    linkedin, _errors = manual(channel="li-region", period_start="2026-03-31", metric="Visningar", value="7")
    web, _errors = manual(channel="gnv-webb", period_start="2026-03-31", metric="Visningar", value="7")
    clicks, _errors = manual(channel="gnv-webb", period_start="2026-03-31", metric="Clicks", value="7")
    assert (linkedin.metric, web.metric, clicks.metric) == ("impressions", "views", "clicks")


def test_a_figure_typed_into_the_form_gets_a_swedish_message_per_field():
    row, errors = manual(
        channel="Tidningen",
        activity="okänd",
        period_start="31/3/2026",
        period_end="2026-03-01",
        metric="likes",
        value="12,5",
    )
    assert row is None
    assert errors == {
        "channel": "Välj en kanal som finns i planen.",
        "activity": "Välj en aktivitet som finns i planen.",
        "period_end": "Slutdatumet kan inte vara före startdatumet.",
        "metric": "Välj vad siffran mäter: visningar, unika besökare, exponeringar eller klick.",
        "value": "Ange antalet som ett heltal utan decimaler, t.ex. 1 234.",
    }


def test_a_figure_typed_into_the_form_needs_a_date_a_value_and_a_channel_or_activity():
    row, errors = manual(metric="clicks")
    assert row is None
    assert set(errors) == {"period_start", "value", "channel"}
    assert errors["channel"] == "Välj en kanal eller en aktivitet."
    _row, negative = manual(channel="intranat", period_start="2026-03-01", metric="clicks", value="-1")
    assert negative == {"value": "Antalet måste vara 0 eller mer."}


# --- storing (SQLite and PostgreSQL) -------------------------------------------------------------------------


async def make_plan() -> int:
    async with db.write_transaction():
        return await store_plan(parse_plan(REACH_PLAN))


async def stored() -> list[tuple]:
    rows = await ReachFigure.select(
        ReachFigure.activity.code.as_alias("activity"),
        ReachFigure.channel.code.as_alias("channel"),
        ReachFigure.period_start,
        ReachFigure.period_end,
        ReachFigure.metric,
        ReachFigure.value,
        ReachFigure.url,
    ).order_by(ReachFigure.id)
    return [
        (r["activity"], r["channel"], r["period_start"], r["period_end"], r["metric"], r["value"], r["url"])
        for r in rows
    ]


def as_stored(preview: ReachPreview) -> list[tuple]:
    return [
        (r.activity, r.channel, r.period_start, r.period_end, r.metric, r.value, r.url) for r in preview.rows
    ]


async def test_a_file_with_bad_rows_is_refused_and_nothing_is_stored(database):
    plan_id = await make_plan()
    preview = sample("fel_rader.csv")
    with pytest.raises(Invalid) as refused:
        await import_reach(plan_id, preview, skip_bad_rows=False)
    assert str(refused.value) == (
        "Inget sparades: 6 rader har fel. Rätta dem i filen, eller välj att hoppa över raderna med fel."
    )
    assert await ReachFigure.count() == 0


async def test_skipping_bad_rows_stores_every_good_row(database):
    plan_id = await make_plan()
    preview = sample("fel_rader.csv")
    assert await import_reach(plan_id, preview, skip_bad_rows=True) == 4
    assert await stored() == as_stored(preview)


async def test_a_clean_file_is_stored_whole_with_the_plans_channels_and_activities(database):
    plan_id = await make_plan()
    preview = sample("sitevision_bom.csv", channel="intranat")
    assert await import_reach(plan_id, preview, skip_bad_rows=False) == 4
    assert await stored() == as_stored(preview)
    assert {r[0] for r in await stored()} == {"nyhet-halsam-uppdraget", "nyhet-fardplanen-2026"}


async def test_formula_looking_text_is_stored_exactly_as_it_was_written(database):
    plan_id = await make_plan()
    preview = sample("formler.csv")
    await import_reach(plan_id, preview, skip_bad_rows=False)
    assert [r[-1] for r in await stored()] == [r.url for r in preview.rows]


async def test_a_file_that_could_not_be_read_is_never_imported(database):
    plan_id = await make_plan()
    preview = parse("Datum;Kanal;Antal\n2026-03-01;intranat;1\n")
    for skip in (False, True):
        with pytest.raises(Invalid):
            await import_reach(plan_id, preview, skip_bad_rows=skip)
    with pytest.raises(Invalid, match="inga giltiga rader"):
        await import_reach(plan_id, parse("Datum;Kanal;Klick\n2026-03-01;intranat;x\n"), skip_bad_rows=True)
    assert await ReachFigure.count() == 0


async def test_store_reach_stores_nothing_when_one_row_is_unknown_to_the_plan(database):
    plan_id = await make_plan()
    good = sample("linkedin_1252.csv").rows
    stale = ReachRow(None, "borttagen-kanal", date(2026, 3, 1), date(2026, 3, 1), "clicks", 1)
    with pytest.raises(Invalid, match="borttagen-kanal"):
        await store_reach(plan_id, [*good, stale])
    assert await ReachFigure.count() == 0


async def test_many_figures_are_stored_in_one_transaction(database):
    plan_id = await make_plan()
    rows = [
        ReachRow(None, "intranat", date(2026, 3, 1), date(2026, 3, 1), "views", n, f"/sida/{n}")
        for n in range(2500)
    ]
    assert await store_reach(plan_id, rows) == 2500
    assert await ReachFigure.count() == 2500
    assert await store_reach(plan_id, []) == 0


async def test_a_failure_in_a_later_batch_takes_back_the_batches_before_it(database, monkeypatch):
    from surveys.plans import reach as reach_import

    plan_id = await make_plan()
    monkeypatch.setattr(reach_import, "_INSERT_CHUNK", 2)
    real_insert, calls = ReachFigure.insert, []

    def failing_insert(*figures):
        calls.append(len(figures))
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real_insert(*figures)

    monkeypatch.setattr(ReachFigure, "insert", failing_insert)
    with pytest.raises(ConnectionError):
        await store_reach(plan_id, sample("linkedin_1252.csv").rows)
    monkeypatch.undo()
    assert calls == [2, 2] and await ReachFigure.count() == 0


async def test_the_plans_vocabulary_is_what_parsing_needs(database):
    plan_id = await make_plan()
    assert await plan_vocabulary(plan_id) == (CHANNELS, ACTIVITIES)
