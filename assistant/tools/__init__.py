"""Tools: typed functions (docstring = schema) that both engines call. Authorization lives here."""

from assistant.tools.registry import TOOLS, ToolSpec, tool

__all__ = ["TOOLS", "ToolSpec", "tool"]
