"""The offline engine: deterministic, no keys. Routes the understood turn to a handler, keeps multi-turn tasks."""

from __future__ import annotations

from assistant.dialogue.named import named_items, order_by_item
from assistant.engine.base import Reply, Turn, Understanding
from assistant.engine.handlers import HANDLERS, load_builtin_handlers
from assistant.engine.handlers.common import confirm_prompt, escalate
from assistant.engine.responder import Responder
from assistant.identity import remember_contact
from assistant.nlu.lexicon import matches
from assistant.nlu.slots import leftover_letters, postal_answer, without
from assistant.state import Pending
from assistant.tools.context import ToolContext
from assistant.tools.kb import sure_answer
from assistant.tools.orders import list_my_orders

LOW_CONFIDENCE_LIMIT = 2  # two unclear turns in a row → a person
FAREWELL_EXTRA_LETTERS = 2  # an unsure guess still ends the chat when the message is a farewell and little else
DEFECTS = {"damaged", "defective", "wrong_item"}
CLOSED_STEPS = {"verify", "order", "items", "reason"}
SHORT_YES = 20  # "yes", "ok sure", "sí, claro": longer messages say more than yes
ORDER_TASKS = {"order_status", "return_request", "exchange_request", "cancel_order", "change_address",
               "refund_status"}


def step_fits(pending: Pending, turn: Turn, ctx: ToolContext) -> bool:
    """Does this message answer the question the task is waiting on? An item or an order may be named by meaning
    ("die Turnschuhe") as well as by words."""
    s = turn.nlu.slots
    if pending.step == "verify":
        return bool(s.order_refs or s.emails or s.postal_codes or s.tracking_numbers)
    if pending.step == "order":
        return bool(s.order_refs or s.tracking_numbers) or names_listed_order(pending, turn, ctx)
    if pending.step == "items":
        names = [str(n) for n in pending.data.get("item_names", [])]
        return bool(named_items(turn, ctx, names))
    if pending.step == "reason":
        return bool(s.reasons)
    if pending.step == "confirm":
        return s.affirm or s.deny or s.bank_transfer
    return True  # variant, address: free text the handler parses


def names_listed_order(pending: Pending, turn: Turn, ctx: ToolContext) -> bool:
    """"the sneakers" after "which order?": it names one of the listed orders by what it holds."""
    ids = pending.data.get("order_ids") or []
    if not ids or not ctx.state.verified:
        return False
    orders = [o for o in list_my_orders(ctx) if o.id in ids]
    return order_by_item(turn, ctx, orders) is not None


def answers_closed_step(pending: Pending, turn: Turn, ctx: ToolContext) -> bool:
    """The message gives what a closed question asked for ("no funciona" at the reason step is a reason, "no, the
    second one" at the items step an item), so a "no" in it does not call the task off. Free-text steps (an
    address, a size) can't tell, and there a short "no" still stops the task."""
    return pending.step in CLOSED_STEPS and step_fits(pending, turn, ctx)


def nothing_to_confirm(turn: Turn) -> bool:
    """A bare "yes"/"ok" with no task waiting: it answers a question nobody asked. "ok thanks" says more than
    yes and is answered as a thank-you."""
    s, text = turn.nlu.slots, turn.text
    if not s.affirm or s.deny or s.order_refs or s.tracking_numbers or s.reasons or len(text) > SHORT_YES:
        return False
    said = matches(text, "affirm", tuple(dict.fromkeys([turn.language, "en"])))
    # "你好" holds "好" (ok) but is a hello: the one other character is a word, not a stray letter.
    return leftover_letters(text, said, syllables=True) <= FAREWELL_EXTRA_LETTERS


def only_ids(text: str, nlu: Understanding) -> bool:
    rest = without(text, [*nlu.slots.order_refs, *nlu.slots.tracking_numbers, *nlu.slots.emails])
    return sum(ch.isalpha() for ch in rest) < 3


def farewell(text: str, nlu: Understanding) -> bool:
    """"bye", "ok thanks, adiós", "再见": the shopper is leaving. Trusted when the classifier is sure it is a
    greeting, or unsure of anything and the message is little more than the farewell ("Пока нет" is "not yet")."""
    s = nlu.slots
    if not s.farewells or s.order_refs or s.tracking_numbers:
        return False
    if nlu.intent == "greeting" and not nlu.low:
        return True
    unsure = nlu.low or nlu.intent in {"greeting", "other"}
    return unsure and leftover_letters(text, s.farewells) <= FAREWELL_EXTRA_LETTERS


def returns_not_cancels(nlu: Understanding) -> bool:
    """A "cancel" guess for a message about sending goods back: it says "return" and never "cancel" ("quiero
    devolver el pedido": the classifier hears "changed my mind" as a cancellation), or it names a defect ("arrived
    broken": you can't cancel what arrived) and returning is among the classifier's next guesses."""
    s = nlu.slots
    if s.return_words and not s.cancel_words:
        return True
    return bool(set(s.reasons) & DEFECTS) and any(sc.intent == "return_request" for sc in nlu.scores[:3])


def asks(text: str) -> bool:
    """A question mark in any script: "what does a return cost?", "¿…?", "…？", "…؟"."""
    return any(mark in text for mark in "?？؟")


WORDED_TASKS = {"return_words": "return_request", "cancel_words": "cancel_order"}


def task_named(nlu: Understanding) -> str | None:
    """The task a message names in so many words ("devolver", "annuler"), when that task is among the
    classifier's two best guesses, no help-centre question ranks above it ("how much does a return cost?") and
    the message names no other task."""
    s = nlu.slots
    named = [task for slot, task in WORDED_TASKS.items() if getattr(s, slot)]
    if len(named) != 1 or s.policy_cue:
        return None
    ranked = [sc.intent for sc in nlu.scores[:2]]
    if named[0] not in ranked or ranked[0] == "policy_question":
        return None
    return named[0]


def policy_like(nlu: Understanding) -> bool:
    """An action intent (or an unsure guess) whose neighbourhood also says "help-centre question"."""
    if nlu.intent == "policy_question" or (nlu.intent not in ORDER_TASKS and not nlu.low):
        return False
    policy = next((s for s in nlu.scores[:3] if s.intent == "policy_question"), None)
    return policy is not None and policy.confidence >= (0.2 if nlu.low else 0.3)


class OfflineEngine:
    name = "offline"

    def __init__(self) -> None:
        load_builtin_handlers()
        self.handlers = HANDLERS

    def respond(self, turn: Turn, ctx: ToolContext) -> Reply:
        r = Responder(turn.language)
        intent = self._route(turn, ctx, r)
        return Reply(text=r.render(), intent=intent, confidence=round(turn.nlu.confidence, 3),
                     citations=ctx.citations, actions=ctx.actions, handoff=ctx.handoff, engine=self.name)

    def _route(self, turn: Turn, ctx: ToolContext, r: Responder) -> str:
        state, nlu = ctx.state, turn.nlu
        if turn.language_switched:
            r.say("language_switched")
            if len(turn.text) <= 40:
                return nlu.intent
        if turn.guard.injection:
            r.say("injection_refusal")
            ctx.record({"type": "guard", "flag": "injection"})
            return nlu.intent
        if turn.guard.legal or turn.guard.anger:
            if turn.guard.anger and not turn.guard.legal and nlu.intent == "other":
                r.say("abuse")
            escalate(turn, ctx, r, "legal" if turn.guard.legal else "sentiment")
            return nlu.intent
        if state.awaiting_contact and state.guest_order_ref:
            nlu.slots = postal_answer(nlu.slots, state.guest_order_ref)  # asked for a postal code: "110001" is one
        remember_contact(state, turn.text, nlu.slots)  # "hi, ana@example.com here": kept for the order number
        pending = state.pending
        if pending is not None and pending.step != "confirm" and nlu.slots.deny and len(turn.text) <= 30 \
                and not answers_closed_step(pending, turn, ctx):
            state.pending = None  # "no, forget it" in the middle of a task; "no funciona" is a reason, though
            r.say("action_cancelled")
            return pending.intent
        if farewell(turn.text, nlu):
            if pending is not None and pending.step == "confirm":
                # "ok thanks bye" is no clear yes to a refund or a cancellation: ask once more, change nothing.
                r.say("confirm_before_leaving")
                r.say(confirm_prompt(pending.intent))
                return pending.intent
            state.pending, state.low_confidence_streak = None, 0  # leaving: a half-asked question is dropped
            self.handlers["greeting"](turn, ctx, r)  # which says goodbye
            return "greeting"
        if pending is not None:
            short_yes = nlu.slots.affirm and len(turn.text) <= 30  # "yes" to a question that wanted details
            if step_fits(pending, turn, ctx) or nlu.low or nlu.intent == pending.intent or short_yes:
                state.low_confidence_streak = 0
                self.handlers[pending.intent](turn, ctx, r)
                return pending.intent
            if nlu.intent != "human_agent" or nlu.low:
                state.pending = None  # the shopper moved on to something else
            # (asking for a person keeps the task, so the handoff carries what was already said)
        if nothing_to_confirm(turn):
            r.say("nothing_to_confirm")  # "yes" to nothing: no task waits, so nothing is done
            return "greeting"
        intent, unsure = nlu.intent, nlu.low
        if intent == "cancel_order" and returns_not_cancels(nlu):
            intent = "return_request"  # "arrived broken", "I want to send it back": not a cancellation
        worded = task_named(nlu)
        if unsure and worded is not None:
            # "quiero devolver mi pedido", "je souhaiterais annuler ma commande": the classifier hesitates between
            # near guesses, the message's own words name one of them.
            intent, unsure = worded, False
        names_order = bool(nlu.slots.order_refs or nlu.slots.tracking_numbers)
        if names_order and only_ids(turn.text, nlu):
            intent = "order_status"  # a bare order or tracking number
        elif unsure and names_order:
            # Unsure, but the message names an order: an order task it is, by default its status.
            intent = intent if intent in ORDER_TASKS else "order_status"
        elif not names_order and ((policy_like(nlu) and (worded != intent or asks(turn.text)))
                                  or (intent in ORDER_TASKS and nlu.slots.policy_cue)):
            # "what is your cancellation policy?": the help centre, not an action ("please cancel my order, I haven't
            # paid yet" names the action and asks nothing: it stays one)
            intent = "policy_question"
        elif unsure and not names_order and sure_answer(ctx, turn.text, nlu.vector):
            intent = "policy_question"  # unsure what the shopper wants, but the help centre clearly answers it
        elif unsure or intent == "other":  # unsure, or nothing we can help with: the shopper is not served
            state.low_confidence_streak += 1
            if state.low_confidence_streak >= LOW_CONFIDENCE_LIMIT:
                state.low_confidence_streak = 0
                escalate(turn, ctx, r, "low_confidence")
            else:
                r.say("clarify" if unsure else "other")
            return intent
        state.low_confidence_streak = 0
        self.handlers.get(intent, self.handlers["other"])(turn, ctx, r)
        return intent
