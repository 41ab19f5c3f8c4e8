"""Reference data of the partner side, each with its source."""

from __future__ import annotations

from cases.choices import ReporterCategory

YOUTH_OFFICE_TYPE = "youth_office"

# Bekanntwerden durch … (federal § 8a statistic) for each institution type of the registry.
_REPORTER_CATEGORY = {
    "daycare": ReporterCategory.DAYCARE,
    "school": ReporterCategory.SCHOOL,
    "free_provider": ReporterCategory.YOUTH_WELFARE_SERVICE,
    "early_help": ReporterCategory.YOUTH_WELFARE_SERVICE,
    "family_education": ReporterCategory.YOUTH_WELFARE_SERVICE,
    "child_protection_association": ReporterCategory.YOUTH_WELFARE_SERVICE,
    "multigenerational_house": ReporterCategory.YOUTH_WELFARE_SERVICE,
    "youth_office": ReporterCategory.OTHER_YOUTH_OFFICE,
    "health_office": ReporterCategory.HEALTH,
    "clinic": ReporterCategory.HEALTH,
    "social_paediatric_centre": ReporterCategory.HEALTH,
    "early_intervention": ReporterCategory.HEALTH,
    "physician": ReporterCategory.HEALTH,
    "midwife": ReporterCategory.HEALTH,
    "forensic_medicine": ReporterCategory.HEALTH,
    "counselling": ReporterCategory.COUNSELLING,
    "pregnancy_counselling": ReporterCategory.COUNSELLING,
    "violence_protection": ReporterCategory.COUNSELLING,
    "social_psychiatric_service": ReporterCategory.COUNSELLING,
    "police": ReporterCategory.POLICE_COURT,
    "public_order": ReporterCategory.POLICE_COURT,
    "family_court": ReporterCategory.POLICE_COURT,
    "public_prosecutor": ReporterCategory.POLICE_COURT,
    "employment_agency": ReporterCategory.SOCIAL_SERVICES,
    "social_welfare_office": ReporterCategory.SOCIAL_SERVICES,
}


def reporter_category_for(institution_type: str) -> str:
    """The statistic's reporter category for an institution type ("Sonstige" if none fits)."""
    return str(_REPORTER_CATEGORY.get(institution_type, ReporterCategory.OTHER))


# § 4 Abs. 1 KKG names the professionals bound by secrecy (physicians, midwives, other
# health professions, psychologists, counsellors, social workers, teachers at public
# schools); § 4 Abs. 4 KKG owes them feedback from the Jugendamt. Providers of youth
# welfare (Kitas, Träger) get feedback as their § 8a Abs. 4 agreement says instead — that
# wording is data on the agreement (partners.AgreementTerms), never code.
_KKG_4_4 = (
    "§ 4 Abs. 4 KKG",
    "ob das Jugendamt die gewichtigen Anhaltspunkte für gegeben hält und ob es zum Schutz "
    "des Kindes tätig geworden ist und noch tätig ist",
)
STATUTORY_FEEDBACK_BASIS = {
    code: _KKG_4_4
    for code in (
        "school",
        "health_office",
        "clinic",
        "social_paediatric_centre",
        "early_intervention",
        "physician",
        "midwife",
        "counselling",
        "pregnancy_counselling",
        "social_psychiatric_service",
    )
}
