"""Fixtures for the analysis tests: R's api data and the four reference designs.

``tests/`` is on ``sys.path`` (the top-level conftest), which would make this
folder the namespace package ``analysis``; the repository root goes first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

_REPO = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _REPO:
    sys.path.insert(0, _REPO)
if getattr(sys.modules.get("analysis"), "__file__", "") is None:
    del sys.modules["analysis"]

from analysis import SurveyDesign  # noqa: E402
from api_support import API  # noqa: E402


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(API / f"{name}.csv")


@pytest.fixture(scope="session")
def apistrat() -> pd.DataFrame:
    return read("apistrat")


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return read("apiclus1")


@pytest.fixture(scope="session")
def apiclus2() -> pd.DataFrame:
    return read("apiclus2")


@pytest.fixture(scope="session")
def dstrat(apistrat):
    return SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="session")
def dclus1(apiclus1):
    return SurveyDesign(apiclus1, weights="pw", clusters="dnum", fpc="fpc")


@pytest.fixture(scope="session")
def dclus2(apiclus2):
    return SurveyDesign(apiclus2, clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"])


@pytest.fixture(scope="session")
def dclus2wr(apiclus2):
    return SurveyDesign(apiclus2, weights="pw", clusters=["dnum", "snum"])

