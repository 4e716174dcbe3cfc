"""The one read model of results (*kết quả*): every page, report, export and API reads here.

* :mod:`runs` — which analysis run (*lần phân tích*) counts, and its estimates with their SE;
* :mod:`points` — a unit's points per field and in total (bonus added, penalty subtracted,
  each leaf within its cap, the total within the level's maximum);
* :mod:`losses` — the points lost per sub-criterion, for the planner and the reports;
* :mod:`official` — the index a reader sees: the frozen publication (*công bố*) when there is
  one, else the draft computed from the latest run and the appraisal state;
* :mod:`frozen` — an index as a JSON document and back, the form a publication keeps;
* :mod:`stored` — the draft index computed once per analysis run and appraisal state (a
  fingerprint of its inputs) and read back by every page, the report and ``index compute``.
"""
