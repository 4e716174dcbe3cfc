"""A small world for invitation codes: a province with two communes (one assessed), a unit of
another province, a campaign using the SIPAS questionnaire for citizens, and one account per role."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.frameworks import load_framework
from survey_app.models import (AdminUnit, Campaign, CampaignQuestionnaire, CampaignStatus, CampaignUnit, Role,
                               UnitLevel, User, UserRole)
from survey_app.questionnaire.importer import import_form

ROOT = Path(__file__).resolve().parents[2]
SIPAS = ROOT / "questionnaires" / "sipas_citizen.md"
FRAMEWORK = ROOT / "questionnaires" / "frameworks" / "par_units_2024.yaml"
PASSWORD = "test-pass-2024"
ROLES = {"admin": Role.ADMIN, "analyst": Role.ANALYST, "supervisor": Role.SUPERVISOR,
         "enumerator": Role.ENUMERATOR, "unit_editor": Role.UNIT_EDITOR}


def build_world(open_link: bool = False, status: CampaignStatus = CampaignStatus.FIELDWORK,
                fieldwork_end: date | None = None) -> dict:
    province_level = UnitLevel(code="province", name_vi="Tỉnh", name_en="Province", rank=0)
    commune_level = UnitLevel(code="commune", name_vi="Xã", name_en="Commune", rank=1)
    province = AdminUnit(code="35", name="Tỉnh Hà Nam", level=province_level)
    other_province = AdminUnit(code="36", name="Tỉnh Nam Định", level=province_level)
    commune = AdminUnit(code="13285", name="Phường Quang Trung", level=commune_level, parent=province)
    unassessed = AdminUnit(code="13288", name="Phường Lê Hồng Phong", level=commune_level, parent=province)
    outside = AdminUnit(code="13600", name="Phường Vị Xuyên", level=commune_level, parent=other_province)
    campaign = Campaign(code="HNM-2030", title="Khảo sát thử năm 2030", year=2030, province=province,
                        framework=load_framework(FRAMEWORK), status=status, open_link=open_link,
                        helpline="0226 3852 000", fieldwork_end=fieldwork_end)
    version = import_form(SIPAS.name, SIPAS.read_bytes(), publish=True)
    campaign.questionnaires = [CampaignQuestionnaire(questionnaire_version=version, audience="citizens")]
    campaign.units = [CampaignUnit(unit=commune, framework_level="commune", target_sample=10),
                      CampaignUnit(unit=outside, framework_level="commune", target_sample=10)]
    db.session.add_all([province, other_province, commune, unassessed, outside, campaign])
    for username, role in ROLES.items():
        user = User(username=username, full_name=username)
        user.set_password(PASSWORD)
        user.roles = [UserRole(role=role)]
        db.session.add(user)
    db.session.commit()
    return {"campaign": campaign.code, "unit": commune.code, "unassessed": unassessed.code,
            "outside": outside.code, "version_id": version.id}


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


@pytest.fixture
def open_world(app):
    with app.app_context():
        return build_world(open_link=True)
