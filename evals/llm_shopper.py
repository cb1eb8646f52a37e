"""An LLM-driven simulated shopper (tau-bench style): it plays the persona's goal against the assistant."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from evals.schema import Persona

PROMPT = """You are role-playing a shopper chatting with an online store's support assistant.
Your goal: {goal}
What you know (use only when asked or needed): {facts}
Write ONLY your next chat message, in {language}, short and natural, as a real shopper would. Never invent order
numbers or emails other than the ones you know. If your goal is reached, reply exactly: DONE"""


class LLMShopper:
    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def __call__(self, *, persona: Persona, facts: dict[str, str], history: list[tuple[str, str]]) -> str:
        messages: list[BaseMessage] = [SystemMessage(content=PROMPT.format(
            goal=persona.goal, facts=", ".join(f"{k}={v}" for k, v in facts.items() if not k.startswith("other_")),
            language=persona.language))]
        for said, reply in history:  # from the shopper's point of view the assistant is the "human"
            messages += [AIMessage(content=said), HumanMessage(content=reply or "(no reply)")]
        out: Any = self.model.invoke(messages).content
        text = out if isinstance(out, str) else str(out)
        return text.strip() or persona.fallback
