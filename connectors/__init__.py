"""Data sources for the assistant: store model, protocols, SQL store, demo data, JSON import."""
