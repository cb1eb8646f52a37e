"""A clicked quick-reply button: the answer to the step it was offered for, taken as the code it carries."""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, Field

from assistant.dialogue.ask import reason_codes
from assistant.nlu.slots import Slots
from assistant.state import Pending, Step
from assistant.tools.context import ToolContext


class ChoiceIn(BaseModel):
    step: Step = Field(description="The ask.step the button was offered for.")
    value: str = Field(min_length=1, max_length=64, description="The choice's value, as offered.")


def apply_choice(choice: ChoiceIn | None, pending: Pending | None, slots: Slots, text: str,
                 ctx: ToolContext) -> tuple[Slots, str]:
    """Slots (and, for a variant, the text) that answer the pending step with the chosen value.

    A button from an earlier question (the task moved on, or was dropped) is stale: the message is then read
    like any typed one, from its words. So is a value the step never offered.
    """
    if choice is None or pending is None or choice.step != pending.step:
        return slots, text
    value = choice.value
    if choice.step == "reason" and value in reason_codes(ctx):
        return replace(slots, reasons=[value], deny=False, affirm=False), text
    if choice.step == "confirm" and value in {"yes", "no"}:
        return replace(slots, affirm=value == "yes", deny=value == "no", bank_transfer=False), text
    if choice.step == "items" and value.isdigit():
        n = int(value)
        if 1 <= n <= len(pending.data.get("item_names", [])):
            return replace(slots, item_numbers=[n], deny=False, affirm=False), text
    if choice.step == "order":
        return replace(slots, order_refs=[value], deny=False, affirm=False), text
    if choice.step == "variant":
        return replace(slots, deny=False, affirm=False), value  # the handler picks the variant by its SKU
    return slots, text
