"""The demo policy knowledge base (Markdown with front matter): full English documents and FAQ cards."""

from pathlib import Path

DEMO_KB_PATH = Path(__file__).parent
