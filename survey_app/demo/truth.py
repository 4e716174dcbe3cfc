"""The demo's true satisfaction per unit, criterion and factor, from the documented model."""
from __future__ import annotations

from survey_app.demo import model, province


def true_values(document: dict | None = None) -> dict[tuple[str, str], float]:
    """``{(unit code, "sat_cNN" | factor code | "overall"): true share satisfied (0-1)}``.

    Factors and overall follow the ``mean_of_criteria`` / ``mean_of_factors`` rule.
    """
    document = document or province.read_province()
    truth = document["demo_truth"]
    specs = {str(u["code"]): u for u in document["units"]}
    provincial = _provincial_population(document)
    values = {}
    for row in truth["units"]:
        code = str(row["unit"])
        population = province.population_of(specs[code]) or provincial
        criteria = {c: model.true_pct_satisfied(float(row["pct_satisfied"]), population, c,
                                                truth["factor_offsets"]) / 100 for c in model.CRITERIA}
        values.update({(code, f"sat_{c}"): v for c, v in criteria.items()})
        factors = {}
        for factor in model.FACTOR_SIZES:
            members = [v for c, v in criteria.items() if model.FACTOR_OF[c] == factor]
            factors[factor] = sum(members) / len(members)
        values.update({(code, f): v for f, v in factors.items()})
        values[(code, "overall")] = sum(factors.values()) / len(factors)
    return values


def _provincial_population(document: dict) -> dict:
    total: dict = {}
    for spec in document["units"]:
        if spec["level"] == "district":
            for group, n in province.population_of(spec).items():
                total[group] = total.get(group, 0.0) + n
    return total
