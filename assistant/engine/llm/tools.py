"""The registry's tools as LangChain tools, bound to this turn's context. Results go back to the model as JSON."""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, create_model

from assistant.engine.base import Turn
from assistant.tools import TOOLS
from assistant.tools.actions import ActionError
from assistant.tools.context import NotVerified, ToolContext

# The model may call these; commit_pending is deliberately absent (only the shopper's "yes" commits).
LLM_TOOLS = ("verify_identity", "list_my_orders", "lookup_order", "track_shipment", "search_kb", "propose_return",
             "propose_exchange", "propose_cancel", "propose_address_change", "refund_status", "escalate")


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def args_model(spec: Any) -> type[BaseModel]:
    """A pydantic model of the tool's parameters (after the context), for the model's JSON schema."""
    hints = typing.get_type_hints(spec.fn)
    fields: dict[str, Any] = {}
    for p in spec.signature.parameters.values():
        if p.name in {"query_vector", "message"}:
            continue
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (hints.get(p.name, Any), default)
    return create_model(f"{spec.name}_args", **fields)


def bind_tools(ctx: ToolContext, turn: Turn) -> list[StructuredTool]:
    out = []
    for name in LLM_TOOLS:
        spec = TOOLS[name]

        def run(_spec: Any = spec, **kwargs: Any) -> str:
            if _spec.name == "verify_identity":
                kwargs.setdefault("message", turn.text)
            if _spec.name == "search_kb":
                kwargs.pop("query_vector", None)
            try:
                result = _spec.fn(ctx, **kwargs)
            except NotVerified as exc:
                return json.dumps({"error": "not_verified", "message": str(exc)})
            except (ActionError, ValueError, TypeError, KeyError) as exc:
                return json.dumps({"error": "invalid", "message": str(exc)})
            if result is None:
                return json.dumps({"result": None, "message": "not found on this shopper's account"})
            return json.dumps({"result": to_jsonable(result)}, ensure_ascii=False, default=str)

        tool = StructuredTool.from_function(func=run, name=name, description=spec.description,
                                            args_schema=args_model(spec), infer_schema=False)
        out.append(tool)
    return out
