"""Steps the campaign tests share."""


def take_rounds_to(council, step: str) -> None:
    """Open round 1, send it to the units, open round 2: as far as ``step``."""
    for name in ("open_1", "reply", "open_2"):
        assert council.post("/units/T-2024/rounds", {"step": name}).status_code == 302
        if name == step:
            return
