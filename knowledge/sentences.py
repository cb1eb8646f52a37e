"""Cut a passage into sentences in any of the KB's scripts, so a reply can quote only the ones that answer.

Latin, Cyrillic and Arabic sentences end in . ! ? ؟ … followed by a space; Chinese and Japanese ones in 。！？
with no space after; lines (list items, table rows) always end one. Thai has no sentence punctuation: a space
between two Thai letters ends a sentence or a clause, but it also separates items of a list, so pieces too
short to stand alone are joined to the one before.
"""

from __future__ import annotations

import re

_THAI = "\u0e00-\u0e7f"
# After a terminator (and a closing quote or bracket that belongs to the sentence): the break.
_END = re.compile(r"(?<=[.!?…؟])\s+|(?<=[.!?…؟][\"'”’)\]»])\s+"
                  r"|(?<=[。！？])(?![」』）”])\s*|(?<=[。！？][」』）”])\s*|\s*\n+\s*")
_THAI_BREAK = re.compile(rf"(?<=[{_THAI}])\s+(?=[{_THAI}])")
_ABBREVIATION = re.compile(r"(?:\b\w{1,2}\.){2,3}$")  # "e.g.", "U.S.", "n.º": not the end of a sentence
THAI_MIN = 24  # characters: shorter Thai pieces are list items or fragments, not sentences
MIN_CHARS = 2


def split(text: str) -> list[str]:
    """The passage's sentences in order, stripped; Markdown list and heading marks removed."""
    pieces: list[str] = []
    for raw in _END.split(text.strip()):
        line = raw.strip().lstrip("#|-*• ").strip()
        if not line:
            continue
        for piece in _thai_pieces(line):
            if pieces and (len(piece) < MIN_CHARS or _ABBREVIATION.search(pieces[-1].split(" ")[-1])):
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
    return pieces


def _thai_pieces(line: str) -> list[str]:
    parts = _THAI_BREAK.split(line)
    if len(parts) == 1:
        return parts
    out: list[str] = []
    for part in parts:
        if out and (len(part) < THAI_MIN or len(out[-1]) < THAI_MIN):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out
