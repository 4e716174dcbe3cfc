"""A small fieldwork world built in an empty database: a province with two districts, a
campaign using a short interview form, two enumerators with assigned cases and supervisors.

Shared by the field tests and the collector's browser tests (which run their own server).
"""
from __future__ import annotations

import uuid
from pathlib import Path

from survey_app.extensions import db
from survey_app.field.tokens import issue
from survey_app.models import (AdminUnit, Assignment, Campaign, CampaignQuestionnaire, Framework,
                               Role, SampleCase, SampleList, UnitLevel, User, UserRole)
from survey_app.questionnaire.importer import import_form

PASSWORD = "field-2024"
MINI_FORM = """
| survey |
| | type | name | label::Tiếng Việt (vi) | label::English (en) | relevant | constraint | required | appearance |
| | start | start | | | | | | |
| | end | end | | | | | | |
| | deviceid | deviceid | | | | | | |
| | integer | age | Tuổi của Ông/Bà | Your age | | . >= 18 and . <= 100 | yes | |
| | select_one yn | used | Ông/Bà đã dùng dịch vụ? | Did you use the service? | | | yes | |
| | text | phone | Số điện thoại | Phone number | | | | |
| | begin_group | grid | Mức độ hài lòng | Satisfaction | ${used} = '1' | | | field-list |
| | select_one sat5 | s1 | Thái độ công chức | Staff attitude | | | yes | likert |
| | select_one sat5 | s2 | Thời gian giải quyết | Processing time | | | yes | likert |
| | select_one sat5 | s3 | Kết quả | Result | | | yes | likert |
| | end_group | | | | | | | |
| | text | why | Vì sao chưa dùng? | Why not? | ${used} = '0' | | | |
| choices |
| | list_name | name | label::Tiếng Việt (vi) | label::English (en) |
| | yn | 1 | Có | Yes |
| | yn | 0 | Không | No |
| | sat5 | 1 | Rất không hài lòng | Very dissatisfied |
| | sat5 | 2 | Không hài lòng | Dissatisfied |
| | sat5 | 3 | Bình thường | Neutral |
| | sat5 | 4 | Hài lòng | Satisfied |
| | sat5 | 5 | Rất hài lòng | Very satisfied |
| settings |
| | form_id | version | form_title | default_language |
| | mini_hai_long | 1 | Phiếu ngắn | Tiếng Việt (vi) |
"""

#: A household form with a repeat sized by an answer (``visit``), a repeat the enumerator
#: sizes (``member``, with per-instance relevance and calculations, summed outside) and a
#: required photo: what the offline collector must answer without signal.
MEDIA_FORM = """| survey |
| | type | name | label::Tiếng Việt (vi) | label::English (en) | relevant | constraint | required | calculation | repeat_count | appearance |
| | start | start | | | | | | | | |
| | end | end | | | | | | | | |
| | deviceid | deviceid | | | | | | | | |
| | integer | visits | Số lần đến cơ quan | Visits to the office | | . >= 0 and . <= 3 | yes | | | |
| | begin_repeat | visit | Lần đến | Visit | | | | | ${visits} | |
| | integer | wait | Thời gian chờ (phút) | Waiting time (minutes) | | . >= 0 | yes | | | |
| | calculate | visit_no | | | | | | position(..) | | |
| | end_repeat | | | | | | | | | |
| | begin_repeat | member | Thành viên hộ | Household member | | | | | | |
| | text | m_name | Họ tên | Name | | | yes | | | |
| | integer | m_age | Tuổi | Age | | . >= 0 and . <= 120 | yes | | | |
| | calculate | m_adult | | | | | | if(${m_age} >= 18, 1, 0) | | |
| | select_one yn | m_work | Có đi làm? | Does this person work? | ${m_adult} = 1 | | yes | | | |
| | end_repeat | | | | | | | | | |
| | calculate | members | | | | | | count(${member}) | | |
| | calculate | adults | | | | | | sum(${m_adult}) | | |
| | note | summary | Cảm ơn Ông/Bà | Thank you | | | | | | |
| | image | photo | Ảnh giấy hẹn | Photo of the appointment slip | | | yes | | | |
| choices |
| | list_name | name | label::Tiếng Việt (vi) | label::English (en) |
| | yn | 1 | Có | Yes |
| | yn | 0 | Không | No |
| settings |
| | form_id | version | form_title | default_language |
| | ho_gia_dinh | 1 | Phiếu hộ gia đình | Tiếng Việt (vi) |
"""

SIPAS = Path(__file__).resolve().parents[2] / "questionnaires" / "sipas_citizen.md"


def _user(username: str, role: Role, unit: AdminUnit | None) -> User:
    user = User(username=username, full_name=username.replace(".", " ").title())
    user.set_password(PASSWORD)
    user.roles.append(UserRole(role=role, unit=unit))
    db.session.add(user)
    return user


def _units() -> dict[str, AdminUnit]:
    province = UnitLevel(code="province", name_vi="Tỉnh", name_en="Province", rank=1)
    district = UnitLevel(code="district", name_vi="Huyện", name_en="District", rank=2)
    p = AdminUnit(code="35", name="Tỉnh Thử", level=province)
    d1 = AdminUnit(code="347", name="Thành phố Thử", level=district, parent=p)
    d2 = AdminUnit(code="349", name="Huyện Thử", level=district, parent=p)
    db.session.add_all([p, d1, d2])
    return {"p": p, "d1": d1, "d2": d2}


def _campaign(province: AdminUnit, form: bytes, filename: str) -> Campaign:
    framework = Framework(code="par", version="1", title="PAR", source_filename="f.yaml", source=b"",
                          checksum="0" * 64, settings={})
    version = import_form(filename, form, publish=True)
    campaign = Campaign(code="TST-2024", title="Thử", year=2024, province=province, framework=framework)
    campaign.questionnaires = [CampaignQuestionnaire(questionnaire_version=version, audience="citizens")]
    db.session.add(campaign)
    return campaign


def _cases(sample: SampleList, unit: AdminUnit, enumerator: User, count: int, prefix: str) -> list:
    cases = []
    for i in range(count):
        case = SampleCase(sample_list=sample, unit=unit, stratum=unit.code, cluster=f"{prefix}-V{i % 2 + 1}",
                          label=f"Hộ {prefix} {i + 1}", address=f"Số {i + 1}, Thôn {i % 2 + 1}",
                          selection_probability=0.01)
        case.assignment = Assignment(enumerator=enumerator)
        cases.append(case)
    return cases


def build_world(cases_each: int = 3, sipas: bool = False, media: bool = False) -> dict:
    """Create the world (with the SIPAS form, the household ``MEDIA_FORM`` or the short one);
    returns ids and two device tokens (plain) for the enumerators."""
    units = _units()
    form, name = ((SIPAS.read_bytes(), SIPAS.name) if sipas else (MEDIA_FORM.encode(), "media.md") if media
                  else (MINI_FORM.encode(), "mini.md"))
    campaign = _campaign(units["p"], form, name)
    users = {"enum1": _user("enum1", Role.ENUMERATOR, units["d1"]),
             "enum2": _user("enum2", Role.ENUMERATOR, units["d2"]),
             "supervisor": _user("supervisor", Role.SUPERVISOR, units["p"]),
             "supervisor2": _user("supervisor2", Role.SUPERVISOR, units["d2"]),
             "analyst": _user("analyst", Role.ANALYST, None)}
    db.session.flush()
    sample = SampleList(campaign_id=campaign.id, name="Mẫu thử", method="import")
    cases1 = _cases(sample, units["d1"], users["enum1"], cases_each, "A")
    cases2 = _cases(sample, units["d2"], users["enum2"], cases_each, "B")
    db.session.add(sample)
    db.session.flush()
    _, token1 = issue(users["enum1"], "phone 1")
    _, token2 = issue(users["enum2"], "phone 2")
    db.session.commit()
    version = campaign.questionnaires[0].questionnaire_version
    return {"campaign_id": campaign.id, "version_id": version.id, "sample_id": sample.id,
            "cases1": [c.id for c in cases1], "cases2": [c.id for c in cases2],
            "users": {k: u.id for k, u in users.items()}, "token1": token1, "token2": token2,
            "units": {k: u.id for k, u in units.items()}}


def interview(world, case_index=0, enumerator=1, **answers) -> dict:
    """A valid interview payload for one of the enumerator's cases."""
    base = {"age": "40", "used": "1", "phone": "", "s1": "4", "s2": "3", "s3": "5",
            "start": "2024-08-05T09:00:00+07:00", "end": "2024-08-05T09:06:00+07:00", "deviceid": "dev-1"}
    base.update(answers)
    return {"instance_uuid": str(uuid.uuid4()), "case_id": world[f"cases{enumerator}"][case_index],
            "questionnaire_version_id": world["version_id"], "answers": base,
            "paradata": {"device_id": "dev-1", "question_times": {"age": 5.0}},
            "started_at": "2024-08-05T02:00:00Z", "submitted_at": "2024-08-05T02:06:00Z"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
