"""Scenario sets: the JSON Schema, the safe loader and validator, and the shipped library."""
