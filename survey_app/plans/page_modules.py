"""The page modules of the plans blueprint (each registers its routes on ``plans.bp``)."""
