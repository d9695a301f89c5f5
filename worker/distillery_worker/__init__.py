"""Distillery worker: training, serving and tooling for task-specific LLM distillation."""

__version__ = "0.1.0"
