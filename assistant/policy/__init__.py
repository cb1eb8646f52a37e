"""Declarative store policy and the pure functions that evaluate it."""
