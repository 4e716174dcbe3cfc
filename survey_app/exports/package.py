"""The data package (*gói dữ liệu tái lập*): one ZIP with everything an analyst needs to rebuild the
published figures outside the platform: the data as CSV, SPSS and Stata files (answers as codes),
the codebook, the design sheet (units, levels, raking targets) and the generated ``analysis.R``
and ``analysis.do`` (:mod:`~survey_app.exports.reproduce`), with a short README.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from tempfile import TemporaryDirectory

from survey_app.exports import reproduce, statfiles, writers
from survey_app.exports.cells import csv_writer
from survey_app.exports.codebook import codebook_rows
from survey_app.exports.design import design_weights
from survey_app.exports.design_sheet import design_rows
from survey_app.exports.submissions import ExportSpec, variables

README = """{campaign}: data of the questionnaire {form}, and how the published figures are computed.

  {data_csv}, data.sav, {data_dta}   one row per submission, answers as codes; analysed = 1 for
                                the rows the estimates use, weight = the final (raked) weight
  {codebook}                  every variable, its label and codes (and their values in .sav/.dta)
  {design}                    units, their names and levels, and the raking targets: adults of
                                each unit by sex and by age group
  analysis.R                    Rscript analysis.R  (package survey) -> {r_output}
  analysis.do                   do analysis.do      (Stata 15 or later) -> {stata_output}

The R script reproduces the publication's % satisfied and mean scores per unit, factor and
criterion with their standard errors and intervals.
"""


def _csv_text(lines) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv_writer(buffer).writerows(lines)
    return buffer.getvalue()


def write_package(spec: ExportSpec, target: Path, progress=None) -> Path:
    """Write the ZIP; ``progress`` receives a percentage after each file."""
    report = progress or (lambda done: None)
    spec = ExportSpec(spec.campaign, spec.form_id, spec.locale, labels=False)
    columns = variables(spec)
    weights = design_weights(spec.campaign, spec.form_id)
    design = list(design_rows(spec.campaign, weights, columns))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive, TemporaryDirectory() as tmp:
        with archive.open(reproduce.DATA_CSV, "w") as handle:
            for chunk in writers.csv_chunks(spec):
                handle.write(chunk.encode("utf-8"))
        report(30)
        for kind, percent in (("sav", 50), ("dta", 70)):
            path = statfiles.write_statfile(spec, Path(tmp) / f"data.{kind}", kind)
            archive.write(path, f"data.{kind}")
            report(percent)
        archive.writestr(reproduce.CODEBOOK_CSV, _csv_text(codebook_rows(columns)))
        archive.writestr(reproduce.DESIGN_CSV, _csv_text(design))
        archive.writestr("analysis.R", reproduce.r_script(spec.campaign, spec.form_id))
        archive.writestr("analysis.do", reproduce.stata_script(spec.campaign, spec.form_id, design))
        archive.writestr("README.txt", README.format(
            campaign=spec.campaign.code, form=spec.form_id, data_csv=reproduce.DATA_CSV,
            data_dta=reproduce.DATA_DTA, codebook=reproduce.CODEBOOK_CSV, design=reproduce.DESIGN_CSV,
            r_output=reproduce.R_OUTPUT, stata_output=reproduce.STATA_OUTPUT))
        report(90)
    return Path(target)
