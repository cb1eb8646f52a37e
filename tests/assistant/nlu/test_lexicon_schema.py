"""The lexicon files follow their schema; a bad one fails naming the file and the key, and no list is dead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.nlu import lexicon as lexicon_module
from assistant.nlu.lexicon import LANGUAGES, LexiconError, lexicon
from assistant.nlu.lexicon_schema import Lexicon, parse_lexicon

ROOT = Path(__file__).resolve().parents[3]
EN = (ROOT / "assistant" / "lexicon" / "en.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_file_follows_the_schema(lang: str) -> None:
    assert set(lexicon(lang)) == set(Lexicon.model_fields)


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [(lambda text: text.replace('deny: ["no",', "deny: [no,"), "deny.0", "valid string"),  # YAML: no is false
     (lambda text: text.replace("legal:", "legals:"), "legals", "Extra inputs"),
     (lambda text: text.replace("  late:", "  too_late:"), "return_reasons.too_late", "'damaged'"),
     (lambda text: re.sub(r"(?m)^goodbye:.*\n", "", text), "goodbye", "required"),
     (lambda text: text.replace("cancel_words: [cancel,", 'cancel_words: ["  ",'), "cancel_words.0", "pattern"),
     (lambda text: text.replace("  3: [third,", "  third: [third,"), "ordinals.third", "bad key: Input should"),
     (lambda text: re.sub(r"(?m)^  late:.*\n", "", text), "return_reasons", "no phrases for late")],
)
def test_a_bad_file_names_the_file_and_the_key(change, where: str, what: str) -> None:  # type: ignore[no-untyped-def]
    bad = change(EN)
    assert bad != EN
    with pytest.raises(LexiconError) as error:
        parse_lexicon(bad, "assistant/lexicon/en.yaml")
    message = str(error.value)
    assert message.startswith("lexicon file assistant/lexicon/en.yaml: ") and f"{where}: " in message
    assert what in message


@pytest.fixture
def lexicon_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(lexicon_module.resources, "files", lambda package: tmp_path)
    lexicon.cache_clear()
    yield tmp_path
    lexicon.cache_clear()


def test_loading_a_bad_file_fails_loudly(lexicon_dir: Path) -> None:
    (lexicon_dir / "en.yaml").write_text(EN.replace("affirm:", "afirm:"), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"assistant/lexicon/en.yaml: .*afirm: Extra inputs"):
        lexicon("en")
    (lexicon_dir / "es.yaml").write_text("deny: [no\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"assistant/lexicon/es.yaml: not YAML"):
        lexicon("es")
    assert lexicon("xx") == {}  # a language without a file has no phrases


@pytest.mark.parametrize("key", sorted(Lexicon.model_fields))
def test_every_list_is_read_by_the_code(key: str) -> None:
    """A list nothing reads is dead weight that translators keep filling in (as "human" was)."""
    readers = [path for folder in ("assistant", "connectors", "knowledge", "evals")
               for path in (ROOT / folder).rglob("*.py")
               if path.name != "lexicon_schema.py" and f'"{key}"' in path.read_text(encoding="utf-8")]
    assert readers, f"no code reads the lexicon list {key!r}"
