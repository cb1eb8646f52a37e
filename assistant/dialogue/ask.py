"""What a pending task waits for, with the closed set of answers offered as quick-reply buttons.

One choice provider per step (a registry, like handlers): a step with a closed set of answers (reasons, items,
orders, variants, yes/no) offers them; free-text steps (an address, the verification details) offer none.
Labels are in the conversation's language; values are codes the engine takes without guessing from words.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant import i18n
from assistant.state import Pending, Step
from assistant.tools.context import ToolContext

MAX_CHOICES = 8  # a phone screen holds about this many buttons; longer lists stay in the reply text


class Choice(BaseModel):
    label: str = Field(description="What the button shows, in the conversation's language.")
    value: str = Field(description="Sent back as choice.value; the engine takes it as the answer.")


class Ask(BaseModel):
    intent: str
    step: Step
    choices: list[Choice] = Field(default_factory=list)


Provider = Callable[[Pending, ToolContext], list[Choice]]
PROVIDERS: dict[str, Provider] = {}


def offers(step: Step) -> Callable[[Provider], Provider]:
    def register(fn: Provider) -> Provider:
        PROVIDERS[step] = fn
        return fn
    return register


def reason_codes(ctx: ToolContext) -> list[str]:
    rp = ctx.services.policy.returns
    return [*rp.defect_reasons, *rp.other_reasons]


@offers("reason")
def reasons(pending: Pending, ctx: ToolContext) -> list[Choice]:
    return [Choice(label=i18n.t(ctx.language, f"reason.{code}"), value=code) for code in reason_codes(ctx)]


@offers("confirm")
def yes_no(pending: Pending, ctx: ToolContext) -> list[Choice]:
    return [Choice(label=i18n.t(ctx.language, "choice.yes"), value="yes"),
            Choice(label=i18n.t(ctx.language, "choice.no"), value="no")]


@offers("items")
def items(pending: Pending, ctx: ToolContext) -> list[Choice]:
    names = [str(n) for n in pending.data.get("item_names", [])]
    return [Choice(label=name, value=str(n)) for n, name in enumerate(names, 1)]


@offers("order")
def orders(pending: Pending, ctx: ToolContext) -> list[Choice]:
    if not ctx.state.customer_id:
        return []
    found = ctx.services.store.orders_for_customer(ctx.state.customer_id)
    return [Choice(label=o.id, value=o.id) for o in found[:MAX_CHOICES]]


@offers("variant")
def variants(pending: Pending, ctx: ToolContext) -> list[Choice]:
    from assistant.engine.handlers.exchanges import variants_of

    skus = pending.data.get("skus") or []
    if not skus:
        return []
    return [Choice(label=p.variant or p.sku, value=p.sku) for p in variants_of(ctx, str(skus[0]))]


def button_label(text: str) -> str:
    """Reply texts name reasons mid-sentence ("wrong size"); a button starts with a capital ("Wrong size")."""
    return text[:1].upper() + text[1:]


def ask_for(pending: Pending | None, ctx: ToolContext) -> Ask | None:
    """The question the conversation now waits on, with its buttons (none for free-text steps)."""
    if pending is None:
        return None
    provider = PROVIDERS.get(pending.step)
    choices = [Choice(label=button_label(c.label), value=c.value) for c in (provider(pending, ctx) if provider else [])]
    return Ask(intent=pending.intent, step=pending.step, choices=choices[:MAX_CHOICES])
