"""Addresses inside sentences: the street line, city and postal code, never the whole sentence."""

from __future__ import annotations

import pytest

from assistant.nlu.address import parse_address

CASES = [
    ("Please change the delivery address to 1 Main St, Springfield, 62704", ("1 Main St", "Springfield", "62704")),
    ("Rua Augusta 500, São Paulo, 01305-000", ("Rua Augusta 500", "São Paulo", "01305-000")),
    ("Bitte ändern Sie die Lieferadresse auf Hauptstraße 5, 10115 Berlin", ("Hauptstraße 5", "Berlin", "10115")),
    ("Please ship to King Fahd Rd 7420, Al Olaya, Riyadh 12214", ("King Fahd Rd 7420", "Riyadh", "12214")),
    ("nueva dirección: Calle de Alcalá 250, 28027 Madrid", ("Calle de Alcalá 250", "Madrid", "28027")),
    ("I ordered 2 shirts, please send to 5 Oak Ave, Austin, 73301", ("5 Oak Ave", "Austin", "73301")),
    ("12 rue de la Paix, 75002 Paris", ("12 rue de la Paix", "Paris", "75002")),
    ("ul. Długa 5, 00-950 Warszawa", ("ul. Długa 5", "Warszawa", "00-950")),
    ("Jl. Sudirman No. 5, Jakarta, 10220", ("Jl. Sudirman No. 5", "Jakarta", "10220")),
    ("Kalverstraat 12, 1012 AB Amsterdam", ("Kalverstraat 12", "Amsterdam", "1012 AB")),
    ("Hanauer Landstraße 291, 60314 Frankfurt am Main", ("Hanauer Landstraße 291", "Frankfurt am Main", "60314")),
    ("1200 S Alameda St, Los Angeles, CA 90021", ("1200 S Alameda St", "Los Angeles", "90021")),
    ("Calle Falsa 123, Springfield, 54321", ("Calle Falsa 123", "Springfield", "54321")),
    ("<b>Via Roma 10</b>, 00184 Roma", ("Via Roma 10", "Roma", "00184")),
    ("上海市浦东新区世纪大道100号 200120", ("上海市浦东新区世纪大道100号", "", "200120")),
    # A phone number given along: its digits are not the postal code; "C/" for "Calle" in any case.
    ("C/ Embajadores 45, 3º B, 28012 Madrid. Tel 612 345 678", ("C/ Embajadores 45", "Madrid", "28012")),
    ("Rua Augusta 500, São Paulo, 01305-000, tel +55 11 91234-5678", ("Rua Augusta 500", "São Paulo", "01305-000")),
    ("上海市浦东新区世纪大道100号 200120 电话 13812345678", ("上海市浦东新区世纪大道100号", "", "200120")),
]
NOT_ADDRESSES = ["please change my address", "12345", "change it to 10115",
                 "I would like you to please change the delivery address of my order because I moved, the new one "
                 "is near the old one 12345"]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_the_address_is_found_inside_the_sentence(text: str, expected: tuple[str, str, str]) -> None:
    parsed = parse_address(text)
    assert parsed is not None and (parsed.line1, parsed.city, parsed.postal_code) == expected


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_what_is_not_an_address_is_refused(text: str) -> None:
    assert parse_address(text) is None
