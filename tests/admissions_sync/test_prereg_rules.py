"""The pre-registration's field rules (admissions_sync/rules.py) and the upload check by
content (admissions_sync/uploads.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from admissions_sync import rules, uploads
from tests.admissions_sync.prereg_files import jpeg_bytes, pdf_bytes, png_bytes, upload


def with_key(number13: str) -> str:
    return number13 + f"{rules.nir_key(number13):02d}"


def message_of(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


# --- NIR ---------------------------------------------------------------------------


def test_nir_good_key_with_spaces():
    number = with_key("1040575115012")
    spaced = " ".join(
        [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    )
    assert rules.nir(spaced) == number
    assert rules.nir_display(number) == spaced


def test_nir_known_example():
    # 2 55 08 14 168 025 : key 38 (the example of the Sécurité sociale's documentation).
    assert rules.nir("2 55 08 14 168 025 38") == "255081416802538"


@pytest.mark.parametrize("sex", ["3", "4", "7", "8"])
def test_nir_provisional_sex_digits(sex):
    number = with_key(sex + "040575115012")
    assert rules.nir(number) == number


def test_nir_bad_key_is_explained():
    number = with_key("1040575115012")
    wrong = number[:13] + f"{(int(number[13:]) + 1) % 100:02d}"
    text = message_of(lambda: rules.nir(wrong))
    assert "clé" in text and wrong[13:] in text


@pytest.mark.parametrize("department,replaced", [("2A", "19"), ("2B", "18")])
def test_nir_corsica(department, replaced):
    body = "1040" + "5" + department + "004" + "012"
    body = "10405" + department + "004012"
    assert len(body) == 13
    key = 97 - int(body.replace(department, replaced)) % 97
    assert rules.nir(f"{body}{key:02d}") == f"{body}{key:02d}"
    assert rules.nir_key(body) == key
    with pytest.raises(ValidationError):
        rules.nir(f"{body}{(key + 1) % 100:02d}")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "5040575115012 00",
        "10405751150",
        "1040575115012345678",
        "١٠٤٠٥٧٥١١٥٠١٢٣٤",
        '=HYPERLINK("x")',
        "1 04 05 75 115 012 ab",
        "x" * 5000,
    ],
)
def test_nir_bad_shapes(value):
    with pytest.raises(ValidationError):
        rules.nir(value)


# --- phones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("01 23 45 67 89", "+33123456789"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+1 514 555 0101", "+15145550101"),
    ],
)
def test_phone_normalised(value, expected):
    assert rules.phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345",
        "06 12 34 56",
        "+33 6 12 34",
        "٠٦١٢٣٤٥٦٧٨",
        "０６１２３４５６７８",
        '=HYPERLINK("http://x")',
        "06 12 34 56 78 90 12 34 56 78",
        "abc",
    ],
)
def test_phone_refused(value):
    assert "téléphone" in message_of(lambda: rules.phone(value))


def test_phone_display():
    assert rules.phone_display("+33612345678") == "06 12 34 56 78"
    assert rules.phone_display("+32470123456") == "+32470123456"


# --- postal code and commune ---------------------------------------------------------


@pytest.mark.usefixtures("communes")
class TestFrenchAddress:
    def test_commune_served(self):
        assert rules.french_address("75015", "Paris") == ("75015", "Paris")

    def test_accents_case_saint(self):
        code, name = rules.french_address("69001", "lyon")
        assert code == "69001" and name == "Lyon"
        assert rules.french_address("42000", "st etienne")[1] == "Saint-Étienne"

    def test_code_that_does_not_serve_the_commune(self):
        with pytest.raises(ValidationError) as caught:
            rules.french_address("75015", "Lyon")
        errors = caught.value.message_dict
        assert "city" in errors
        assert "Lyon" in errors["city"][0] and "75015" in errors["city"][0]
        assert "Paris" in errors["city"][0]

    def test_unknown_code(self):
        with pytest.raises(ValidationError) as caught:
            rules.french_address("00000", "Paris")
        assert "n'existe pas" in caught.value.message_dict["postal_code"][0]

    @pytest.mark.parametrize("code", ["7501", "750155", "75O15", "٧٥٠١٥", "=1+1", ""])
    def test_code_format(self, code):
        with pytest.raises(ValidationError) as caught:
            rules.french_address(code, "Paris")
        assert "5 chiffres" in caught.value.message_dict["postal_code"][0]

    def test_city_required(self):
        with pytest.raises(ValidationError) as caught:
            rules.french_address("75015", "")
        assert "city" in caught.value.message_dict


# --- INE, year, CVEC, text -------------------------------------------------------------


def test_ine():
    assert rules.ine("123456789ab") == "123456789AB"
    assert rules.ine("1234A12345Z") == "1234A12345Z"
    for bad in ["12345678", "123456789012", "١٢٣٤٥٦٧٨٩AB", "=HYPERLINK()"]:
        with pytest.raises(ValidationError):
            rules.ine(bad)


def test_bac_year():
    today = datetime.date(2026, 6, 1)
    assert rules.bac_year("2026", today=today) == "2026"
    assert rules.bac_year("1950", today=today) == "1950"
    for bad in ["1949", "2027", "26", "٢٠٢٦", "２０２６", "20 26", ""]:
        with pytest.raises(ValidationError):
            rules.bac_year(bad, today=today)


def test_cvec():
    assert rules.cvec("PAR1 2345 6789") == "PAR123456789"
    assert rules.cvec("par123456789") == "PAR123456789"
    assert rules.cvec_display("PAR123456789") == "PAR1 2345 6789"
    for bad in [
        "PAR1 2345 678",
        "PAR1-2345-6789",
        "PAR1 2345 67890",
        "ＰＡＲ１２３４５６７８９",
        "=HYPERLINK(1)",
        "",
    ]:
        with pytest.raises(ValidationError):
            rules.cvec(bad)


def test_plain_text():
    assert rules.plain_text("  12 rue de la Paix ", max_length=150) == "12 rue de la Paix"
    assert "150" in message_of(lambda: rules.plain_text("x" * 151, max_length=150))
    assert "=" in message_of(lambda: rules.plain_text('=HYPERLINK("http://x")', max_length=150))
    with pytest.raises(ValidationError):
        rules.plain_text("a\x00b", max_length=150)


# --- uploads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,name,declared,expected",
    [
        (jpeg_bytes(), "photo.jpg", "image/jpeg", "image/jpeg"),
        (jpeg_bytes(), "photo.JPEG", "application/octet-stream", "image/jpeg"),
        (png_bytes(), "photo.png", "image/png", "image/png"),
        (pdf_bytes(), "bac.pdf", "application/pdf", "application/pdf"),
        (pdf_bytes(), "bac", "", "application/pdf"),
    ],
)
def test_upload_accepted(content, name, declared, expected):
    checked = uploads.check_upload(upload(content, name, declared))
    assert checked.content_type == expected
    assert checked.size == len(content)
    assert len(checked.checksum) == 64


def refusal(content, name, declared) -> str:
    return message_of(lambda: uploads.check_upload(upload(content, name, declared)))


def test_pdf_renamed_jpg_is_refused():
    text = refusal(pdf_bytes(), "photo.jpg", "image/jpeg")
    assert "ne correspond pas à son contenu" in text and "PDF" in text


def test_jpeg_declared_pdf_is_refused():
    assert "ne correspond pas" in refusal(jpeg_bytes(), "piece.pdf", "application/pdf")


def test_png_declared_jpeg_is_refused():
    assert "ne correspond pas" in refusal(png_bytes(), "photo.png", "image/jpeg")


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,
        b"GIF89a\x01\x00\x01\x00",
    ],
)
def test_other_formats_as_pdf_are_refused(content):
    assert "ni un PDF" in refusal(content, "piece.pdf", "application/pdf")


def test_empty_refused():
    assert "vide" in refusal(b"", "piece.pdf", "application/pdf")


def test_too_large_refused():
    content = b"%PDF-1.4\n" + b"0" * (uploads.MAX_SIZE + 1 - len(b"%PDF-1.4\n%%EOF\n")) + b"%%EOF\n"
    assert len(content) == uploads.MAX_SIZE + 1
    assert "5 Mo" in refusal(content, "gros.pdf", "application/pdf")


def test_exactly_5_mb_accepted():
    content = b"%PDF-1.4\n" + b"0" * (uploads.MAX_SIZE - len(b"%PDF-1.4\n%%EOF\n")) + b"%%EOF\n"
    assert (
        uploads.check_upload(upload(content, "ok.pdf", "application/pdf")).size == uploads.MAX_SIZE
    )


def test_truncated_files_refused():
    assert "endommagé" in refusal(jpeg_bytes()[:-200], "photo.jpg", "image/jpeg")
    assert "endommagé" in refusal(png_bytes()[:20], "photo.png", "image/png")
    assert "endommagé" in refusal(pdf_bytes()[:30], "piece.pdf", "application/pdf")
