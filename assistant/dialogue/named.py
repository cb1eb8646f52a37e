"""What the shopper named: an item of an order ("the second one", "the earbuds", "die Kopfhörer") or, through its
items, one of their orders ("I want to return the lamp" → the one order holding a lamp).

Words first (an item number, a name word in the message), then meaning (assistant/nlu/item_meaning.py) for
names in another language or other words.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.engine.base import Turn
from assistant.nlu.lexicon import matches
from assistant.nlu.slots import match_items
from assistant.tools.context import ToolContext
from connectors.models import Order


def named_items(turn: Turn, ctx: ToolContext, names: Sequence[str]) -> list[int]:
    """1-based positions of the items the message names: by number, by name words, all of them ("both"), or by
    meaning."""
    s = turn.nlu.slots
    chosen = [n for n in s.item_numbers if 1 <= n <= len(names)] or match_items(turn.text, list(names))
    if not chosen and matches(turn.text, "all_items", tuple(dict.fromkeys([turn.language, "en"]))):
        return list(range(1, len(names) + 1))  # "both", "all of them"
    if chosen or len(names) < 2:
        return chosen
    picked = ctx.services.items.pick(turn.nlu.vector, [[n] for n in names])
    return [picked + 1] if picked is not None else []


def order_by_item(turn: Turn, ctx: ToolContext, orders: Sequence[Order]) -> Order | None:
    """The one order among `orders` holding the product the message names; None when it names none, or a
    product several of them hold."""
    if len(orders) < 2:
        return None
    by_words = [o for o in orders if match_items(turn.text, [i.name for i in o.items])]
    if by_words:
        return by_words[0] if len(by_words) == 1 else None
    picked = ctx.services.items.pick(turn.nlu.vector, [[i.name for i in o.items] for o in orders])
    return orders[picked] if picked is not None else None
