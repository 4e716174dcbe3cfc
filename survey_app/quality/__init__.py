"""Quality control of door-to-door interviews (*kiểm soát chất lượng*): flags on intake,
back-checks and agreement rates. Flags never change or delete a submission."""
from survey_app.quality.intake import on_intake

__all__ = ["on_intake"]
