"""Evaluation suites, runner, metrics and reports."""
