"""The data model, split by concern; importing this package registers every table."""
from survey_app.models.analysis import AnalysisEstimate, AnalysisRun
from survey_app.models.audit import AuditEntry
from survey_app.models.base import db
from survey_app.models.campaigns import (Campaign, CampaignQuestionnaire, CampaignStatus,
                                         CampaignUnit)
from survey_app.models.collection import (Assignment, CaseStatus, Invitation, Respondent,
                                          RespondentKind, SampleCase, SampleList, VisitAttempt)
from survey_app.models.drafts import ResponseDraft
from survey_app.models.fieldwork import (BackCheck, ConflictStatus, DeviceToken, IdentityKey, QualityFlag,
                                         QualitySettings, SubmissionConflict, SubmissionPlace, SyncReceipt)
from survey_app.models.lifecycle import (CouncilAssignment, CouncilMember, LifecycleChange,
                                         RoundDeadline, UnitSignOff)
from survey_app.models.frameworks import Framework, FrameworkNode, NodeKind, ScoringMethod
from survey_app.models.plans import (ImprovementPlan, NationalIndex, NationalIndexResult, PeriodKind,
                                     PlanStatus, PlanTarget, PlanTask, PlanTaskCriterion, PlanTaskPartner,
                                     ProgressEvidence, ProgressReport, ReportingPeriod, TargetKind,
                                     TaskProgress)
from survey_app.models.publications import Publication
from survey_app.models.questionnaires import Questionnaire, QuestionnaireVersion, VersionStatus
from survey_app.models.shared import Job, StoredFile, StoredFilePart
from survey_app.models.scores import (AppraisalComment, AppraisalRound, AssessmentStatus,
                                      Evidence, RoundStatus, Score, SelfAssessment)
from survey_app.models.stored_index import StoredIndex
from survey_app.models.submissions import (Channel, ReviewComment, ReviewState, Submission,
                                           SubmissionEdit)
from survey_app.models.units import AdminUnit, UnitLevel, UnitPopulation, UnitSuccession
from survey_app.models.users import Role, User, UserRole

__all__ = [name for name in dir() if not name.startswith("_")]
