"""A delivery address inside a shopper's sentence: where it starts, its street line, city and postal code.

"Please change the delivery address to 1 Main St, Springfield, 62704" must give the street line "1 Main St", not
the whole sentence. The street line starts at a street word (street_words.yaml: "Rua", "Calle", "ul.") or at the
name before a suffix word ("King Fahd Rd", "Hauptstraße") or at a house number ("1 Main St"); a lead-in before a
colon is dropped. What doesn't look like an address is refused (None), and the handler shows what it parsed back
to the shopper before anything is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.nlu.slots import POSTAL
from knowledge.tokenize import UNSPACED_CHARS, fold

MAX_STREET_WORDS = 10
MAX_CITY_WORDS = 5
_WORD = re.compile(r"[cC]/|[^\W_][^\W_'’-]*\.?|\d+[A-Za-z]?")
_SEPARATORS = re.compile(r"[,\n;،，、]")
_UNSPACED = re.compile(rf"[{UNSPACED_CHARS}]")
# A phone number given with the address ("Tel 612 345 678", "+55 11 91234-5678"): nine digits or more, which no
# postal code has, with the label before it. Dropped, so its digits are not read as the postal code.
_PHONE = re.compile(r"(?i)(?:\b(?:tel|t[ée]l[ée]fono|telefone|telefon|telefono|tlf|phone|mobile|m[óo]vil|cel|celular|"
                    r"handy|telp|hp|sđt|điện thoại|телефон|тел)\b\.?\s*:?\s*|(?:电话|電話|전화|โทร|هاتف)\s*[:：]?\s*)?"
                    r"\+?\d[\d\s().-]{7,}\d")


def _without_phones(text: str) -> str:
    return _PHONE.sub(lambda m: " " if sum(c.isdigit() for c in m.group(0)) >= 9 else m.group(0), text)


class StreetWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: list[str] = Field(default_factory=list)
    suffix: list[str] = Field(default_factory=list)
    compound: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _Words:
    prefix: frozenset[str]
    suffix: frozenset[str]
    compound: tuple[str, ...]
    unspaced_suffix: tuple[str, ...]


@cache
def street_words() -> _Words:
    raw = yaml.safe_load(resources.files("assistant.nlu").joinpath("street_words.yaml").read_text(encoding="utf-8"))
    by_lang = {lang: StreetWords.model_validate(v) for lang, v in raw.items()}

    def norm(word: str) -> str:
        return fold(word).rstrip(".")

    prefix = {norm(w) for sw in by_lang.values() for w in sw.prefix}
    suffix = {norm(w) for sw in by_lang.values() for w in sw.suffix if not _UNSPACED.search(w)}
    unspaced = tuple(w for sw in by_lang.values() for w in sw.suffix if _UNSPACED.search(w))
    compound = tuple(sorted({norm(w) for sw in by_lang.values() for w in sw.compound}, key=len, reverse=True))
    return _Words(frozenset(prefix), frozenset(suffix), compound, unspaced)


@dataclass(frozen=True)
class ParsedAddress:
    line1: str
    city: str
    postal_code: str

    def as_dict(self) -> dict[str, str]:
        return {"line1": self.line1, "city": self.city, "postal_code": self.postal_code}


def _street_start(text: str) -> int | None:
    """Where the street line starts in `text` (which holds no lead-in colon), or None when nothing marks one."""
    words = street_words()
    tokens = list(_WORD.finditer(text))
    strong: list[int] = []
    weak: list[int] = []
    for i, m in enumerate(tokens):
        token = fold(m.group(0)).rstrip(".")
        if token in words.prefix and i + 1 < len(tokens):
            strong.append(_walk_back(text, tokens, i, numbers_only=True))  # "12 rue de la Paix"
        elif token in words.suffix and i > 0:
            strong.append(_walk_back(text, tokens, i))
        elif any(token.endswith(c) and len(token) > len(c) + 1 for c in words.compound):
            strong.append(_walk_back(text, tokens, i, limit=1))  # "Hanauer Landstraße"
        elif token[:1].isdigit() and i + 1 < len(tokens) and tokens[i + 1].group(0)[:1].isalpha() \
                and not _SEPARATORS.search(text[m.end():tokens[i + 1].start()]):
            weak.append(m.start())  # "1 Main St", "12 rue…": a house number then a word
    for mark in words.unspaced_suffix:
        found = text.find(mark)
        if found > 0:
            run = re.search(rf"[{UNSPACED_CHARS}\d\-]+$", text[:found])
            strong.append(run.start() if run else found)
    if strong:
        return min(strong)
    return min(weak) if weak else None


def _walk_back(text: str, tokens: list[re.Match[str]], i: int, *, limit: int = 3, numbers_only: bool = False) -> int:
    """The start of the name before a street word: up to `limit` capitalised words and house numbers, back to the
    first word that is neither or to a separator ("please send it to King Fahd Rd" → "King")."""
    start = tokens[i].start()
    for m in reversed(tokens[max(0, i - limit):i]):
        between = text[m.end():start]
        word = m.group(0)
        fits = word[:1].isdigit() or (word[:1].isupper() and not numbers_only)
        if _SEPARATORS.search(between) or not fits:
            break
        start = m.start()
    return start


def parse_address(text: str) -> ParsedAddress | None:
    """'Rua Augusta 500, São Paulo, 01305-000' or 'please change it to 1 Main St, Springfield, 62704' → street,
    city and postal code; None when it isn't an address (no postal code, no street line, a sentence)."""
    text = _without_phones(re.sub(r"<[^>]*>", " ", text))  # markup and a phone number are no part of it
    postal = POSTAL.findall(text)
    if not postal:
        return None
    code = postal[-1]
    colon = max(text.rfind(":"), text.rfind("："))
    if colon >= 0 and code in text[colon:]:
        text = text[colon + 1:]  # "new address: …": what comes before the colon is the request, not the address
    start = _street_start(text)
    if start is None:
        return None
    segments = [p.strip(" .!?") for p in _SEPARATORS.split(text[start:])]
    at = next((k for k, seg in enumerate(segments) if code in seg), None)
    if at is None:
        return None
    street = next((seg.replace(code, " ").strip() for seg in segments[:at + 1]
                   if re.search(r"\d", seg.replace(code, " "))), None)
    if street is None or not re.search(r"[^\W\d_]", street) or len(street.split()) > MAX_STREET_WORDS:
        return None
    city = _city(segments, at, code, street)
    if city is None and _UNSPACED.search(street):
        city = ""  # "上海市浦东新区世纪大道100号": the city is part of the line
    if city is None or len(city.split()) > MAX_CITY_WORDS:
        return None
    return ParsedAddress(street[:200], city[:100], code)


def _city(segments: list[str], at: int, code: str, street: str) -> str | None:
    """The city: after a leading postal code ("75002 Paris"), before a trailing one ("Riyadh 12214"), else the
    nearest part before the code's that is a name, not a state abbreviation ("Los Angeles, CA 90021")."""
    before, _, after = segments[at].partition(code)
    before, after = before.strip(" -"), after.strip(" -")

    def name(part: str) -> bool:
        return bool(part) and part != street and not re.search(r"\d", part) and not re.fullmatch(r"[A-Z]{2,3}", part)

    if not before and name(after):
        return after
    if name(before):
        return before
    earlier = [seg for seg in segments[:at] if name(seg)]
    if earlier:
        return earlier[-1]
    later = [seg for seg in segments[at + 1:] if name(seg)]
    return later[0] if later else None
