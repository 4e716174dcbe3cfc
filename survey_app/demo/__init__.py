"""``flask --app wsgi demo``: a realistic demo province with two years, a user per role,
self-assessment scores and synthetic submissions drawn with a fixed seed from
:mod:`survey_app.demo.model`, whose true satisfaction per unit is known: HNM-2024 of Hà Nam
(three levels) and NBH-2025 of the merged Ninh Bình (two tiers, :mod:`survey_app.demo.second_year`).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from survey_app.demo import collection, model, province, scores, second_year, staff
from survey_app.extensions import db
from survey_app.frameworks import load_framework
from survey_app.models import (AdminUnit, Campaign, CampaignQuestionnaire, CampaignStatus,
                               CampaignUnit, Invitation, Role, User, UserRole)
from survey_app.questionnaire.importer import import_form

CONTENT = province.CONTENT
FRAMEWORK_FILE = CONTENT / "frameworks" / "par_units_2024.yaml"
QUESTIONNAIRES = {"citizens": CONTENT / "sipas_citizen.md", "staff": CONTENT / "cbcc_staff.md"}
CAMPAIGN_CODE = "HNM-2024"
ASSESSED_LEVELS = ("department", "district", "commune")
DEMO_PASSWORD = "demo-2024"
DEMO_USERS = (  # role, username, full name, scope: None, "province", or a unit code, or a name part
    (Role.ADMIN, "admin", "Trần Thị Quản Trị", None),
    (Role.ANALYST, "analyst", "Lê Văn Phân Tích", None),
    (Role.SUPERVISOR, "supervisor", "Phạm Thị Giám Sát", "province"),
    (Role.ENUMERATOR, "enumerator", "Nguyễn Văn Điều Tra", "347"),
    (Role.UNIT_EDITOR, "unit_editor", "Hoàng Minh Tư Pháp", "Sở Tư pháp"),
    (Role.APPRAISER, "appraiser", "Đỗ Thị Thẩm Định", "province"),
)


class DemoError(RuntimeError):
    """The demo cannot be loaded (for example, the database already has data)."""


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(AdminUnit)) == 0


def demo_logins() -> list[tuple[str, str, str]]:
    """The printed demo logins, when the demo users exist."""
    names = [u[1] for u in DEMO_USERS]
    found = set(db.session.scalars(select(User.username).where(User.username.in_(names))))
    return [(role.value, username, DEMO_PASSWORD) for role, username, _, _ in DEMO_USERS
            if username in found]


@contextmanager
def _plain_progress(iterable, label=""):
    yield iterable


def _scope(spec, units: dict[str, AdminUnit], province_code: str) -> AdminUnit | None:
    if spec is None:
        return None
    if spec == "province":
        return units[province_code]
    if spec in units:
        return units[spec]
    return next(u for u in units.values() if spec in u.name)


def _user(role: Role, username: str, full_name: str, unit: AdminUnit | None) -> User:
    user = User(username=username, full_name=full_name)
    user.set_password(DEMO_PASSWORD)
    user.roles.append(UserRole(role=role, unit=unit))
    return user


def _create_users(units, province_code) -> dict[str, User]:
    users = {username: _user(role, username, name, _scope(scope, units, province_code))
             for role, username, name, scope in DEMO_USERS}
    for unit in units.values():  # one more enumerator per district, one for the departments
        if unit.level.code == "district" and unit.code != "347":
            users[f"dtv.{unit.code}"] = _user(Role.ENUMERATOR, f"dtv.{unit.code}",
                                             f"Điều tra viên {unit.name}", unit)
    users["dtv.so"] = _user(Role.ENUMERATOR, "dtv.so", "Điều tra viên khối sở", units[province_code])
    db.session.add_all(users.values())
    return users


def _enumerator_for(users: dict[str, User], units, province_code: str):
    def choose(unit: AdminUnit) -> User:
        if unit.level.code == "department":
            return users["dtv.so"]
        district = unit if unit.level.code == "district" else unit.parent
        return users["enumerator"] if district.code == "347" else users[f"dtv.{district.code}"]
    return choose


def unit_truth(document: dict) -> dict[str, float]:
    """Each unit's ``pct_satisfied`` from the province file's ``demo_truth``."""
    return {str(row["unit"]): float(row["pct_satisfied"]) for row in document["demo_truth"]["units"]}


def _populations(document: dict, units: dict[str, AdminUnit]) -> dict[str, dict]:
    """Adults by sex and age per unit; departments serve the whole province (sum of districts)."""
    found = {str(spec["code"]): province.population_of(spec) for spec in document["units"]}
    provincial: dict[tuple[str, str], float] = {}
    for code, population in found.items():
        if units[code].level.code == "district":
            for group, n in population.items():
                provincial[group] = provincial.get(group, 0) + n
    for code, unit in units.items():
        if unit.level.code == "department":
            found[code] = provincial
    return found


def _campaign(units, framework, versions, province_code: str) -> Campaign:
    campaign = Campaign(
        code=CAMPAIGN_CODE, year=province.DEMO_YEAR, province=units[province_code], framework=framework,
        title="Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Hà Nam năm 2024",
        status=CampaignStatus.APPRAISAL, fieldwork_start=date(2024, 8, 1),
        fieldwork_end=date(2024, 9, 15), self_assessment_deadline=date(2024, 10, 15),
        appraisal_deadline=date(2024, 11, 30),
        sampling_plan={"design": "stratified two-stage", "strata": "assessed unit",
                       "psu": "village", "villages_per_unit": collection.VILLAGES_PER_UNIT,
                       "cases_per_village": collection.CASES_PER_VILLAGE})
    campaign.questionnaires = [CampaignQuestionnaire(questionnaire_version=v, audience=a)
                               for a, v in versions.items()]
    for unit in units.values():
        if unit.level.code in ASSESSED_LEVELS and unit.valid_in(province.DEMO_YEAR):
            per_village = collection.CASES_PER_VILLAGE[unit.level.code]
            campaign.units.append(CampaignUnit(unit=unit, framework_level=unit.level.code,
                                               target_sample=per_village * collection.VILLAGES_PER_UNIT))
    db.session.add(campaign)
    return campaign


INVITED_UNITS = ("35.S02", "347", "13285")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def invitations(rng, campaign: Campaign, version, units, per_unit: int = 10) -> list[Invitation]:
    """Single-use invitation codes for the citizen questionnaire in a few units (web channel)."""
    made = []
    for code in INVITED_UNITS:
        for _ in range(per_unit):
            letters = "".join(CODE_ALPHABET[i] for i in rng.integers(0, len(CODE_ALPHABET), 8))
            made.append(Invitation(code=f"HNM{letters}", campaign_id=campaign.id,
                                   questionnaire_version_id=version.id, unit_id=units[code].id))
    return made


def demo_invitation_codes(limit: int = 3) -> list[str]:
    """A few unused demo codes, printed as on the letters (``HNM-7K3P-Q9TX``)."""
    codes = db.session.scalars(select(Invitation.code).where(Invitation.used_at.is_(None))
                               .order_by(Invitation.id).limit(limit))
    return [f"{c[:3]}-{c[3:7]}-{c[7:]}" for c in codes]


def load_demo(seed: int = 2024, progress=None, publish: bool = True) -> list[tuple[str, str, str]]:
    """Load the whole demo into an empty database and return the demo logins; ``publish``
    analyses and publishes the 2024 campaign (:mod:`survey_app.demo.publication`)."""
    if not database_is_empty():
        raise DemoError("the database already has data: the demo loads only into an empty database")
    progress = progress or _plain_progress
    rng = np.random.default_rng(seed)
    document = province.read_province()
    db.session.info["skip_audit"] = True
    try:
        units = province.load_units(document)
        code = str(document["province"]["code"])
        framework = load_framework(FRAMEWORK_FILE)
        versions = {audience: import_form(path.name, Path(path).read_bytes(), publish=True)
                    for audience, path in QUESTIONNAIRES.items()}
        users = _create_users(units, code)
        campaign = _campaign(units, framework, versions, code)
        db.session.flush()
        truth, populations = unit_truth(document), _populations(document, units)
        sample, cases, submissions = collection.draw_sample(
            rng, campaign, campaign.units, document["demo_truth"], populations, _enumerator_for(users, units, code),
            versions["citizens"], progress)
        db.session.add(sample)
        db.session.add_all(s for _, s in submissions)
        for cu in campaign.units:
            db.session.add(scores.self_assess(rng, framework, cu, truth[cu.unit.code] / 100))
        db.session.add_all(invitations(rng, campaign, versions["citizens"], units))
        db.session.add_all(staff.staff_submissions(rng, campaign, versions["staff"], units, truth))
        db.session.flush()
        second_year.load_second_year(rng, CAMPAIGN_CODE, users, versions, truth, document,
                                     populations[next(c for c, u in units.items() if u.level.code == "department")],
                                     progress)
        db.session.commit()
    finally:
        db.session.info.pop("skip_audit", None)
    if publish:
        publish_loaded_demo()
    return demo_logins()


def publish_loaded_demo() -> bool:
    """The demo's last step: the 2024 campaign analysed and published
    (:func:`survey_app.demo.publication.publish_demo`), unaudited as the rest of the demo."""
    from survey_app.demo.publication import publish_demo
    from survey_app.queries import campaign_by_code
    db.session.info["skip_audit"] = True
    try:
        return publish_demo(campaign_by_code(CAMPAIGN_CODE))
    finally:
        db.session.info.pop("skip_audit", None)
