"""A small world for the citizen's questionnaire: a province, a commune, the framework, the
SIPAS questionnaire and invitation codes, built in the empty test database."""
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.frameworks import load_framework
from survey_app.models import AdminUnit, Campaign, CampaignStatus, Invitation, UnitLevel
from survey_app.questionnaire.importer import import_form

ROOT = Path(__file__).resolve().parents[2]
SIPAS = ROOT / "questionnaires" / "sipas_citizen.md"
FRAMEWORK = ROOT / "questionnaires" / "frameworks" / "par_units_2024.yaml"
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "xlsform"


def build_world(forms: list[Path], codes_per_form: int = 3) -> dict[str, list[str]]:
    """Units, a campaign and ``codes_per_form`` invitation codes per form; returns the codes."""
    province_level = UnitLevel(code="province", name_vi="Tỉnh", name_en="Province", rank=0)
    commune_level = UnitLevel(code="commune", name_vi="Xã", name_en="Commune", rank=1)
    province = AdminUnit(code="35", name="Tỉnh Hà Nam", level=province_level)
    commune = AdminUnit(code="13285", name="Phường Quang Trung", level=commune_level, parent=province)
    campaign = Campaign(code="T-2024", title="Khảo sát thử năm 2024", year=2024, province=province,
                        framework=load_framework(FRAMEWORK), status=CampaignStatus.FIELDWORK)
    db.session.add_all([province, commune, campaign])
    db.session.flush()
    codes = {}
    for number, path in enumerate(forms):
        version = import_form(path.name, path.read_bytes(), publish=True)
        db.session.flush()
        codes[path.name] = [f"T{number:03d}X{i:04d}" for i in range(codes_per_form)]
        db.session.add_all(Invitation(code=code, campaign_id=campaign.id, questionnaire_version_id=version.id,
                                      unit=commune) for code in codes[path.name])
    db.session.commit()
    return codes


@pytest.fixture
def sipas_codes(app):
    with app.app_context():
        return build_world([SIPAS])[SIPAS.name]
