"""Placeholder replaced below."""


def on_intake(submission) -> list:
    return []
