"""The routing rules that let a message's own words settle what the classifier leaves open (pure functions)."""

from __future__ import annotations

import numpy as np

from assistant.engine.base import Understanding
from assistant.engine.offline import policy_like, task_named
from assistant.nlu.intents import IntentScore
from assistant.nlu.slots import extract


def understood(text: str, language: str, *ranked: tuple[str, float], low: bool = False) -> Understanding:
    scores = [IntentScore(intent, share, 0.9, language) for intent, share in ranked]
    return Understanding(scores[0].intent, scores[0].confidence, low, scores, extract(text, language),
                         np.zeros(4, dtype=np.float32))


def test_a_cancel_request_near_a_policy_guess_stays_a_cancellation() -> None:
    nlu = understood("لو سمحت الغي طلبي", "ar", ("cancel_order", 0.45), ("policy_question", 0.35),
                     ("order_status", 0.2))
    assert policy_like(nlu)  # the neighbourhood alone would send it to the help centre
    assert task_named(nlu) == "cancel_order"  # its words keep it an action


def test_an_unsure_return_request_is_settled_by_its_words() -> None:
    nlu = understood("quiero devolver mi pedido", "es", ("cancel_order", 0.43), ("return_request", 0.43),
                     ("order_status", 0.14), low=True)
    assert task_named(nlu) == "return_request"


def test_words_do_not_override_a_question_the_help_centre_ranks_first() -> None:
    nlu = understood("Quanto costa fare un reso?", "it", ("policy_question", 0.44), ("return_request", 0.28),
                     ("refund_status", 0.27), low=True)
    assert task_named(nlu) is None


def test_words_naming_a_task_the_classifier_does_not_consider_are_not_taken() -> None:
    nlu = understood("quiero devolver mi pedido", "es", ("order_status", 0.6), ("payment_issue", 0.4), low=True)
    assert task_named(nlu) is None
    both = understood("cancel it or send it back, whatever works", "en", ("cancel_order", 0.5), ("return_request", 0.5))
    assert task_named(both) is None  # names two tasks: no settling


def test_a_question_near_a_policy_guess_is_still_a_question() -> None:
    from assistant.engine.offline import asks

    nlu = understood("Wat kost het om iets te retourneren?", "nl", ("return_request", 0.45), ("policy_question", 0.35),
                     ("refund_status", 0.2))
    assert policy_like(nlu) and asks("Wat kost het om iets te retourneren?")
    assert asks("¿puedo cancelar?") and asks("可以取消吗？") and asks("هل يمكنني الإلغاء؟")
    assert not asks("please cancel my order")
