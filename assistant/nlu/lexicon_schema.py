"""The schema of a keyword lexicon (assistant/lexicon/<lang>.yaml). Every language file has every list, so a
language never quietly lacks its yes/no words or its return reasons."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, field_validator
from pydantic_core import ErrorDetails

# The return reasons the assistant can hear and name back (locale keys reason.<code>). The store policy sorts them
# into defect_reasons and other_reasons; a code outside this list could be heard but never said.
ReasonCode = Literal["damaged", "defective", "wrong_item", "changed_mind", "wrong_size", "not_as_described", "late"]
REASON_CODES: tuple[str, ...] = get_args(ReasonCode)

# StrictStr: YAML reads an unquoted no, yes, on or off as a boolean and 1 as a number; those must be quoted.
Phrase = Annotated[StrictStr, Field(min_length=1, pattern=r"\S")]
Phrases = list[Phrase]


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    return_reasons: dict[ReasonCode, Phrases] = Field(description="Why an item goes back (slots.reasons).")
    affirm: Phrases = Field(description="A short yes to a confirmation.")
    deny: Phrases = Field(description="A short no: declines a confirmation, or drops the task in progress.")
    language_request: Phrases = Field(description="Asking for replies in this language (matched in every one).")
    anger: Phrases = Field(description="An angry shopper: a person takes over.")
    legal: Phrases = Field(description="Lawyers, chargebacks, authorities: a person takes over.")
    item_words: Phrases = Field(description='Words before an item number: "item 2".')
    ordinals: dict[Annotated[int, Field(ge=1, le=9)], Phrases] = Field(description='"the second one" -> 2.')
    injection: Phrases = Field(description="Attempts to change the assistant's instructions (every language).")
    bank_transfer: Phrases = Field(description="Asking for a refund by bank transfer.")
    goodbye: Phrases = Field(description="The shopper is leaving (matched in every language).")
    postal_cues: Phrases = Field(description="Words that mark the next number as a postal code (every language).")
    policy_cues: Phrases = Field(description="A question about the rules in general, not about one order.")
    return_words: Phrases = Field(description="Sending goods back.")
    cancel_words: Phrases = Field(description="Calling an order off.")
    all_items: Phrases = Field(description='"both", "all of them": every item, asked which items go back.')

    @field_validator("return_reasons")
    @classmethod
    def _every_reason(cls, reasons: dict[str, list[str]]) -> dict[str, list[str]]:
        # A language without phrases for a reason can never hear it: its shoppers get asked again and again.
        missing = [code for code in REASON_CODES if not reasons.get(code)]
        if missing:
            raise ValueError(f"no phrases for {', '.join(missing)}")
        return reasons


class LexiconError(ValueError):
    """A lexicon file can't be read as YAML or breaks the schema."""


def parse_lexicon(text: str, name: str) -> Lexicon:
    """Validate one lexicon file's text; `name` (its path) opens the error, followed by each bad key."""
    try:
        return Lexicon.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise LexiconError(f"lexicon file {name}: not YAML: {exc}") from exc
    except ValidationError as exc:
        raise LexiconError(f"lexicon file {name}: " + "; ".join(_problem(e) for e in exc.errors())) from exc


def _problem(error: ErrorDetails) -> str:
    """ "deny.0: Input should be a valid string"; pydantic marks a bad mapping key with a "[key]" step."""
    where = ".".join(str(step) for step in error["loc"] if step != "[key]") or "(file)"
    return f"{where}: {'bad key: ' if '[key]' in error['loc'] else ''}{error['msg']}"
