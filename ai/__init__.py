"""Scoring, feedback and the language-model backends."""
