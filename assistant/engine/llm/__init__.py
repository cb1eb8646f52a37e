"""The LLM engine: any LangChain chat model, tool calling over the same tools, grounding check, offline fallback."""
