"""xAPI learning records: rehearsal events as xAPI 1.0.3 statements, queued and sent to an LRS."""
