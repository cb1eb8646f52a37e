"""Realistic typos, made deterministically (seeded) from clean shopper questions, for the typo-tolerance bench.

Each question gets one or two corrupted words (two only in longer messages), each by one operation a hurried
shopper makes: two neighbouring letters swapped, a letter dropped or doubled, a neighbouring key hit, accents
left out, or a chat spelling ("ur", "pls", "vc", "gak"). Keyboard neighbours come from each script's usual
layout (QWERTY, ЙЦУКЕН, Arabic, Thai Kedmanee, Korean 2-set). Chinese and Japanese are typed through an IME, so
their typos are dropped, doubled or swapped characters and, in Japanese, lost dakuten; no homophone table.
Words are picked in proportion to their length: every keystroke is a chance to slip.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

ROWS = {
    "latin": ("qwertyuiop", "asdfghjkl", "zxcvbnm"),
    "cyrillic": ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"),
    "arabic": ("ضصثقفغعهخحجد", "شسيبلاتنمكط", "ئءؤرىةوزظ"),
    "thai": ("ๆไำพะัีรนยบลฃ", "ฟหกดเ้่าสวงฅ", "ผปแอิืทมใฝ"),
}
# Korean 2-set keyboard: consonants and vowels sit on separate halves, so a slip stays within its kind and
# the syllable still composes.
KO_CONSONANT_ROWS = ("ㅂㅈㄷㄱㅅ", "ㅁㄴㅇㄹㅎ", "ㅋㅌㅊㅍ")
KO_VOWEL_ROWS = ("ㅛㅕㅑㅐㅔ", "ㅗㅓㅏㅣ", "ㅠㅜㅡ")
KO_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
KO_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"

# Chat spellings shoppers use, per language: whole words only.
CHAT = {
    "en": {"you": "u", "your": "ur", "you're": "ur", "are": "r", "please": "pls", "what": "wat", "thanks": "thx",
           "because": "cuz", "know": "kno", "tomorrow": "tmrw", "really": "rly", "need": "ned"},
    "es": {"que": "q", "qué": "q", "porque": "xq", "por": "x", "también": "tb", "favor": "fa", "para": "pa",
           "estoy": "toy", "cuándo": "cuando"},
    "pt": {"você": "vc", "que": "q", "não": "n", "também": "tb", "porque": "pq", "para": "pra", "está": "tá",
           "vocês": "vcs", "quando": "qdo"},
    "fr": {"quoi": "koi", "c'est": "c", "pourquoi": "pk", "beaucoup": "bcp", "aujourd'hui": "ajd", "je suis": "chui",
           "quand": "qd", "s'il": "stp", "est-ce": "esce"},
    "de": {"nicht": "net", "ich": "i", "habe": "hab", "ist": "is", "eine": "ne", "einen": "nen", "vielleicht": "vllt"},
    "it": {"che": "ke", "perché": "xké", "non": "nn", "per": "x", "comunque": "cmq", "questo": "qst"},
    "nl": {"even": "ff", "wat": "wa", "niet": "nie", "ook": "ok", "heb": "heb", "jij": "jy"},
    "pl": {"jest": "jst", "nie": "ni", "dlaczego": "czemu", "proszę": "prosze", "może": "moze"},
    "tr": {"bir": "bi", "için": "icin", "değil": "diil", "şey": "şii", "mı": "mi"},
    "ru": {"что": "чо", "сейчас": "щас", "спасибо": "спс", "пожалуйста": "плз", "сколько": "скока", "когда": "када"},
    "id": {"yang": "yg", "tidak": "gak", "saya": "sy", "sudah": "udah", "bisa": "bs", "dengan": "dgn", "untuk": "utk",
           "gimana": "gmn", "bagaimana": "gmn"},
    "vi": {"không": "ko", "được": "dc", "gì": "j", "vậy": "z", "biết": "bít", "rồi": "r"},
    "ar": {"إيش": "ايش", "أبي": "ابي", "كيف": "كيف"},
    "th": {"ครับ": "คับ", "ไหม": "มั้ย", "อะไร": "อะไล", "จริง": "จิง"},
}

# Letters with their combining marks (Thai vowels and tone marks, Arabic harakat, Latin accents are not \w).
_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f\u064b-\u065f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])"
_WORD = re.compile(rf"{_LETTER}+(?:['’-]{_LETTER}+)*", re.UNICODE)
_IME = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Keys next to each key: left and right, and the ones above and below."""
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(rows):
                    near += [rows[other][j] for j in (i - 1, i, i + 1) if 0 <= j < len(rows[other])]
            out[key] = "".join(near)
    return out


NEIGHBOURS: dict[str, str] = {}
for _rows in (*ROWS.values(), KO_CONSONANT_ROWS, KO_VOWEL_ROWS):
    NEIGHBOURS.update(_neighbours(_rows))

_PLAIN = {"ł": "l", "đ": "d", "ø": "o", "ı": "i", "ß": "ss", "ё": "е", "й": "и", "أ": "ا", "إ": "ا", "آ": "ا",
          "ة": "ه", "ى": "ي"}
_THAI_TONES = "\u0e48\u0e49\u0e4a\u0e4b"


def strip_accents(word: str) -> str:
    """What a shopper types without accents, hamzas, tone marks or dakuten."""
    word = "".join(_PLAIN.get(ch, ch) for ch in word)
    word = "".join(ch for ch in word if ch not in _THAI_TONES)
    decomposed = unicodedata.normalize("NFD", word)
    # Latin and kana marks go; Hangul jamo (also split by NFD) must stay.
    kept = "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ch not in "\u0e31\u0e34\u0e35"
                                                  "\u0e36\u0e37\u0e38\u0e39\u0e47\u0e4c\u0e4d"))
    return unicodedata.normalize("NFC", kept)


def _ko_slip(syllable: str, rng: random.Random) -> str | None:
    """A neighbouring key for a Hangul syllable's first consonant or its vowel."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return None
    lead, vowel, tail = code // 588, (code % 588) // 28, code % 28
    if rng.random() < 0.5 and KO_VOWELS[vowel] in NEIGHBOURS:
        options = [v for v in NEIGHBOURS[KO_VOWELS[vowel]] if v in KO_VOWELS]
        if options:
            vowel = KO_VOWELS.index(rng.choice(options))
    elif KO_INITIALS[lead] in NEIGHBOURS:
        options = [c for c in NEIGHBOURS[KO_INITIALS[lead]] if c in KO_INITIALS]
        if options:
            lead = KO_INITIALS.index(rng.choice(options))
    out = chr(0xAC00 + lead * 588 + vowel * 28 + tail)
    return out if out != syllable else None


def swap(word: str, rng: random.Random) -> str | None:
    if len(word) < 3:
        return None
    i = rng.randrange(1, len(word) - 1)
    return None if word[i] == word[i + 1] else word[:i] + word[i + 1] + word[i] + word[i + 2:]


def drop(word: str, rng: random.Random) -> str | None:
    if len(word) < 3:
        return None
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1:]


def double(word: str, rng: random.Random) -> str | None:
    if len(word) < 2:
        return None
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def key(word: str, rng: random.Random) -> str | None:
    spots = [i for i in range(1, len(word)) if word[i].lower() in NEIGHBOURS or 0xAC00 <= ord(word[i]) < 0xD7A4]
    if not spots:
        return None
    i = rng.choice(spots)
    if 0xAC00 <= ord(word[i]) < 0xD7A4:
        slip = _ko_slip(word[i], rng)
    else:
        slip = rng.choice(NEIGHBOURS[word[i].lower()])
    return None if slip is None else word[:i] + slip + word[i + 1:]


def accents(word: str, rng: random.Random) -> str | None:
    plain = strip_accents(word)
    return plain if plain != word else None


Slip = Callable[[str, random.Random], "str | None"]
SLIPS: dict[str, Slip] = {"swap": swap, "drop": drop, "double": double, "key": key, "accents": accents}
IME_SLIPS: dict[str, Slip] = {"swap": swap, "drop": drop, "double": double, "accents": accents}


def _sites(text: str) -> list[tuple[int, int]]:
    """Spans that can be mistyped: words of spaced scripts, and short pieces of Chinese or Japanese runs (an
    IME word is two or three characters)."""
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if _IME.search(word):
            for start in range(m.start(), m.end() - 1, 3):
                spans.append((start, min(start + 3, m.end())))
        elif len(word) >= 3:
            spans.append(m.span())
    return spans


def corrupt(text: str, lang: str, rng: random.Random) -> tuple[str, list[str]]:
    """The question with one or two words mistyped, and which operations did it."""
    chat = [(m.start(), m.end()) for m in _WORD.finditer(text) if m.group().lower() in CHAT.get(lang, {})]
    sites = _sites(text)
    words = len(_WORD.findall(text)) + len(_IME.findall(text)) // 3
    want = 2 if words >= 8 and rng.random() < 0.5 else 1
    done: list[tuple[int, int, str, str]] = []
    for _ in range(want):
        free = [s for s in sites + chat if all(s[1] <= a or s[0] >= b for a, b, _, _ in done)]
        if not free:
            break
        # Chat spellings are a habit, not a slip: a message that can have one often does.
        if chat and rng.random() < 0.4 and any(c in free for c in chat):
            start, end = rng.choice([c for c in chat if c in free])
            done.append((start, end, CHAT[lang][text[start:end].lower()], "chat"))
            continue
        start, end = rng.choices(free, weights=[b - a for a, b in free])[0]
        word = text[start:end]
        slips = IME_SLIPS if _IME.search(word) else SLIPS
        for name in rng.sample(sorted(slips), len(slips)):
            out = slips[name](word, rng)
            if out and out != word:
                done.append((start, end, out, name))
                break
    for start, end, out, _ in sorted(done, reverse=True):
        text = text[:start] + out + text[end:]
    return text, [name for *_, name in done]


def typo_set(questions: list[dict], seed: int = 7) -> list[dict]:
    """A mistyped copy of each question (same id suffixed `~typo`, same answers), the same on every run."""
    out = []
    for q in questions:
        rng = random.Random(f"{seed}:{q['id']}")
        text, slips = corrupt(q["text"], q["lang"], rng)
        out.append({**q, "id": f"{q['id']}~typo", "text": text, "slips": slips})
    return out
