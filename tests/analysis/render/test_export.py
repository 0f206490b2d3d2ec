"""Exports of aggregated results (analysis/render/export.py): files are written to disk and read back.

CSV with the csv module (utf-8-sig, ';'), XLSX with openpyxl.load_workbook.
"""

import csv
import zipfile

import numpy as np
import openpyxl
import pytest

from analysis.render.export import ExportTable, Suppressed, neutralise, sheet_names, to_csv, to_xlsx

HIDDEN = "För få svar för att redovisa (färre än 5)."
INJECTIONS = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://x")',
    "\t=1",
    "\r=1",
    "\n=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


@pytest.fixture
def results():
    return ExportTable(
        "Kännedom om färdplanen per målgrupp",
        ["Målgrupp", "Mätomgång", "Andel", "Nedre gräns", "Övre gräns", "Svarande"],
        [
            ["Kommunala chefer", "Våren 2026", 0.425, 0.33, 0.52, 100],
            [
                "Politiker i Ånge",
                "Våren 2026",
                Suppressed(HIDDEN),
                Suppressed(HIDDEN),
                Suppressed(HIDDEN),
                Suppressed(HIDDEN),
            ],
            ["Vårdpersonal", "Våren 2026", 0.61, 0.51, 0.7, 210],
        ],
        share_columns={"Andel", "Nedre gräns", "Övre gräns"},
    )


@pytest.fixture
def changes():
    return ExportTable(
        "Förändring sedan förra mätomgången",
        ["Målgrupp", "Skillnad", "p-värde"],
        [["Kommunala chefer", -0.125, 0.0123456], ["Vårdpersonal", 0.05, None]],
        share_columns={"Skillnad"},
    )


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_semicolons_and_crlf(tmp_path, results):
    path = write(tmp_path, "resultat.csv", to_csv([results]))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 5  # title, header, three rows
    assert b"\n" not in raw.replace(b"\r\n", b"")
    rows = read_csv(path)
    assert rows[0] == ["Kännedom om färdplanen per målgrupp"]
    assert rows[1] == [
        "Målgrupp",
        "Mätomgång",
        "Andel",
        "Nedre gräns",
        "Övre gräns",
        "Svarande",
        "Anmärkning",
    ]


def test_csv_shares_have_four_decimals_and_a_decimal_comma(tmp_path, results):
    rows = read_csv(write(tmp_path, "resultat.csv", to_csv([results])))
    assert rows[2] == ["Kommunala chefer", "Våren 2026", "0,4250", "0,3300", "0,5200", "100", ""]
    assert rows[4] == ["Vårdpersonal", "Våren 2026", "0,6100", "0,5100", "0,7000", "210", ""]


def test_csv_share_rounding_is_half_up(tmp_path):
    table = ExportTable("Andelar", ["Andel"], [[0.12345], [0.99995], [-0.00001]], share_columns={"Andel"})
    rows = read_csv(write(tmp_path, "a.csv", to_csv(table)))
    assert [r[0] for r in rows[2:]] == ["0,1235", "1,0000", "0,0000"]


def test_csv_other_numbers_keep_their_precision_and_negative_numbers_stay_numbers(tmp_path, changes):
    rows = read_csv(write(tmp_path, "f.csv", to_csv(changes)))
    assert rows[2] == ["Kommunala chefer", "-0,1250", "0,0123456", ""]
    assert rows[3] == ["Vårdpersonal", "0,0500", "", ""]
    # a very small number is written out, not in exponent form
    small = ExportTable("Små", ["p"], [[1e-7]])
    assert read_csv(write(tmp_path, "s.csv", to_csv(small)))[2] == ["0,0000001", ""]


def test_csv_suppressed_cells_are_blank_and_the_note_says_why(tmp_path, results):
    rows = read_csv(write(tmp_path, "resultat.csv", to_csv([results])))
    hidden = rows[3]
    assert hidden[:6] == ["Politiker i Ånge", "Våren 2026", "", "", "", ""]
    assert hidden[6] == f"Dold (Andel, Nedre gräns, Övre gräns, Svarande): {HIDDEN}"


def test_csv_note_groups_columns_by_reason(tmp_path):
    table = ExportTable(
        "Skydd",
        ["Organisation", "Andel", "Svarande"],
        [["Ånge", Suppressed("Redovisas inte, så att en annan grupp inte kan räknas fram."), Suppressed("")]],
    )
    rows = read_csv(write(tmp_path, "s.csv", to_csv(table)))
    assert rows[2] == [
        "Ånge",
        "",
        "",
        "Dold (Andel): Redovisas inte, så att en annan grupp inte kan räknas fram. "
        "Dold (Svarande): Dold för att skydda de svarandes anonymitet.",
    ]


def test_csv_several_tables_are_separated_by_a_blank_line_and_a_title(tmp_path, results, changes):
    rows = read_csv(write(tmp_path, "alla.csv", to_csv([results, changes])))
    assert rows[5] == []
    assert rows[6] == ["Förändring sedan förra mätomgången"]
    assert rows[7] == ["Målgrupp", "Skillnad", "p-värde", "Anmärkning"]
    assert len(rows) == 10


@pytest.mark.parametrize("payload", INJECTIONS)
def test_csv_neutralises_formula_injection(tmp_path, payload):
    table = ExportTable(payload, [payload, "Andel"], [[payload, -0.5]], share_columns={"Andel"})
    rows = read_csv(write(tmp_path, "x.csv", to_csv(table)))
    assert rows[0] == ["'" + payload]
    assert rows[1][0] == "'" + payload
    assert rows[2][0] == "'" + payload
    assert rows[2][1] == "-0,5000"  # numbers are not touched


def test_csv_keeps_swedish_characters_and_quotes_separators(tmp_path):
    text = 'Åsa; "Östersund"\nÄlvdalen'
    table = ExportTable("åäö ÅÄÖ", ["Namn"], [[text]])
    rows = read_csv(write(tmp_path, "sv.csv", to_csv(table)))
    assert rows[0] == ["åäö ÅÄÖ"]
    assert rows[2] == [text, ""]


def test_csv_drops_control_characters_before_checking_for_formulas(tmp_path):
    table = ExportTable("T", ["Text"], [["\x01=1+1"], ["ok\x07"]])
    rows = read_csv(write(tmp_path, "c.csv", to_csv(table)))
    assert [r[0] for r in rows[2:]] == ["'=1+1", "ok"]


def test_plain_text_is_left_alone():
    assert neutralise("Kommunala chefer") == "Kommunala chefer"
    assert neutralise("1+1") == "1+1"
    assert neutralise("") == ""
    assert neutralise(" =1") == " =1"


def test_no_tables_still_gives_a_readable_file(tmp_path):
    rows = read_csv(write(tmp_path, "tom.csv", to_csv([])))
    assert rows[2] == ["Det finns inga resultat att exportera.", ""]
    workbook = openpyxl.load_workbook(write(tmp_path, "tom.xlsx", to_xlsx([])))
    assert workbook.worksheets[0]["A3"].value == "Det finns inga resultat att exportera."


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path, results, changes):
    path = write(tmp_path, "resultat.xlsx", to_xlsx([results, changes], title="Uppföljning 2026"))
    return openpyxl.load_workbook(path)


def test_xlsx_has_one_sheet_per_table_and_workbook_properties(workbook):
    assert workbook.sheetnames == ["Kännedom om färdplanen per målg", "Förändring sedan förra mätomgån"]
    assert workbook.properties.title == "Uppföljning 2026"
    assert workbook.properties.creator == "effekt"


def test_xlsx_title_header_bold_and_frozen(workbook):
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == "Kännedom om färdplanen per målgrupp"
    header = [cell.value for cell in sheet[2]]
    assert header == ["Målgrupp", "Mätomgång", "Andel", "Nedre gräns", "Övre gräns", "Svarande", "Anmärkning"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:G5"


def test_xlsx_numbers_are_numeric_with_a_percent_format_for_shares(workbook):
    sheet = workbook.worksheets[0]
    row = sheet[3]
    assert [c.value for c in row[:6]] == ["Kommunala chefer", "Våren 2026", 0.425, 0.33, 0.52, 100]
    assert all(c.data_type == "n" for c in row[2:6])
    assert all("%" in c.number_format for c in row[2:5])
    assert "%" not in row[5].number_format
    changes = workbook.worksheets[1]
    assert changes["B3"].value == -0.125
    assert changes["B3"].data_type == "n"
    assert changes["C3"].value == pytest.approx(0.0123456)
    assert changes["C4"].value is None


def test_xlsx_suppressed_cells_are_empty_grey_with_a_comment_and_a_note(workbook):
    sheet = workbook.worksheets[0]
    row = sheet[4]
    assert row[0].value == "Politiker i Ånge"
    for cell in row[2:6]:
        assert cell.value is None
        assert cell.comment is not None and cell.comment.text == HIDDEN
        assert cell.fill.fgColor.rgb == "FFD9D9D9"
    assert row[6].value == f"Dold (Andel, Nedre gräns, Övre gräns, Svarande): {HIDDEN}"
    assert sheet["G3"].value is None  # no note where nothing is hidden


def test_xlsx_column_widths_are_set(workbook):
    sheet = workbook.worksheets[0]
    for letter in "ABCDEFG":
        assert 10 <= sheet.column_dimensions[letter].width <= 60
    assert sheet.column_dimensions["A"].width >= len("Kommunala chefer")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_xlsx_neutralises_formula_injection(tmp_path, payload):
    table = ExportTable(payload, [payload, "Andel"], [[payload, -0.5]], share_columns={"Andel"})
    sheet = openpyxl.load_workbook(write(tmp_path, "x.xlsx", to_xlsx(table))).worksheets[0]
    for cell in (sheet["A1"], sheet["A2"], sheet["A3"]):
        assert cell.data_type == "s"
        # a carriage return is stored as Excel's line break, a line feed
        assert cell.value == "'" + payload.replace("\r", "\n")
        assert cell.quotePrefix
    assert sheet["B3"].value == -0.5
    assert sheet["B3"].data_type == "n"


def test_xlsx_writes_no_formula_at_all(tmp_path):
    table = ExportTable("Formler", ["Text"], [[p] for p in INJECTIONS])
    path = write(tmp_path, "f.xlsx", to_xlsx(table))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml


def test_xlsx_keeps_swedish_characters(tmp_path):
    table = ExportTable("Målgrupper i Västernorrland", ["Målgrupp"], [["Chefer i Örnsköldsvik och Ånge"]])
    workbook = openpyxl.load_workbook(write(tmp_path, "sv.xlsx", to_xlsx(table)))
    assert workbook.sheetnames == ["Målgrupper i Västernorrland"]
    assert workbook.worksheets[0]["A3"].value == "Chefer i Örnsköldsvik och Ånge"
    assert workbook.properties.title == "Målgrupper i Västernorrland"


def test_xlsx_control_characters_do_not_break_the_file(tmp_path):
    table = ExportTable("T\x02", ["Text"], [["a\x00b\x1f"], ["\x01=1"]])
    sheet = openpyxl.load_workbook(write(tmp_path, "c.xlsx", to_xlsx(table))).worksheets[0]
    assert sheet["A3"].value == "ab"
    assert sheet["A4"].value == "'=1"


# --- sheet names ----------------------------------------------------------------------------------


def test_sheet_names_are_valid_unique_and_short():
    titles = [
        "Resultat [2026]: chefer/politiker?*\\",
        "Resultat [2026]: chefer/politiker?*\\",
        "RESULTAT [2026]: CHEFER/POLITIKER?*\\",
        "",
        "'citat'",
        "History",
        "En mycket lång titel som inte får plats i ett bladnamn",
        "En mycket lång titel som inte får plats i ett bladnamn",
    ]
    names = sheet_names(titles)
    assert names == [
        "Resultat 2026 chefer politiker",
        "Resultat 2026 chefer politi (2)",
        "RESULTAT 2026 CHEFER POLITI (3)",
        "Tabell 4",
        "citat",
        "History (2)",
        "En mycket lång titel som inte f",
        "En mycket lång titel som in (2)",
    ]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31
        assert not set("[]:*?/\\") & set(name)
        assert not name.startswith("'") and not name.endswith("'")


def test_xlsx_sheet_names_for_duplicate_titles(tmp_path):
    tables = [ExportTable("Kännedom", ["A"], [[1]]), ExportTable("Kännedom", ["A"], [[2]])]
    workbook = openpyxl.load_workbook(write(tmp_path, "d.xlsx", to_xlsx(tables)))
    assert workbook.sheetnames == ["Kännedom", "Kännedom (2)"]
    assert workbook.properties.title == "Kännedom"


# --- bad input ------------------------------------------------------------------------------------


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="row 1"):
        ExportTable("T", ["A", "B"], [[1]])


def test_an_unknown_share_column_is_refused():
    with pytest.raises(ValueError, match="share columns"):
        ExportTable("T", ["A"], [[1]], share_columns={"Andel"})


def test_an_odd_cell_is_refused():
    with pytest.raises(TypeError):
        ExportTable("T", ["A"], [[True]])
    with pytest.raises(TypeError):
        ExportTable("T", ["A"], [[object()]])


def test_the_note_column_name_is_reserved():
    with pytest.raises(ValueError, match="Anmärkning"):
        to_csv(ExportTable("T", ["Anmärkning"], [["x"]]))


def test_numpy_numbers_and_non_finite_floats(tmp_path):
    table = ExportTable(
        "T", ["Andel", "n", "x"], [[np.float64(0.5), np.int64(7), float("nan")]], share_columns={"Andel"}
    )
    assert read_csv(write(tmp_path, "n.csv", to_csv(table)))[2] == ["0,5000", "7", "", ""]
    sheet = openpyxl.load_workbook(write(tmp_path, "n.xlsx", to_xlsx(table))).worksheets[0]
    assert [sheet["A3"].value, sheet["B3"].value, sheet["C3"].value] == [0.5, 7, None]
