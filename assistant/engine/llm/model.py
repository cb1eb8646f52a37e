"""Build the chat model from settings with LangChain's init_chat_model; provider packages are optional extras."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.settings import Settings

EXTRAS = {"openai": "openai", "anthropic": "anthropic", "ollama": "ollama"}


class EngineUnavailable(RuntimeError):
    pass


def make_chat_model(settings: Settings) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    spec = settings.llm.strip()
    provider = spec.split(":", 1)[0] if ":" in spec else ""
    kwargs: dict[str, Any] = {"temperature": 0, "timeout": settings.llm_timeout, "max_tokens": settings.llm_max_tokens,
                              "max_retries": 0}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
        if provider == "openai":
            kwargs.setdefault("api_key", settings.llm_api_key or "not-needed")
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key
    try:
        return init_chat_model(spec, **kwargs)  # type: ignore[no-any-return]
    except ImportError as exc:
        extra = EXTRAS.get(provider, provider)
        raise EngineUnavailable(f"the {provider or spec!r} provider package is missing: "
                                f"pip install 'portside[{extra}]' ({exc})") from None
    except ValueError as exc:
        raise EngineUnavailable(f"cannot use PORTSIDE_LLM={spec!r}: {exc}") from None
