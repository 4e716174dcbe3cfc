"""The command modules of ``flask plan`` (each adds its commands to ``plans.plan_cli``)."""
