"""Institution types of local child-protection networks, mapped to § 3 Abs. 2 KKG.

§ 3 Abs. 2 KKG (Gesetz zur Kooperation und Information im Kinderschutz) names who should
sit in a local child-protection network: Einrichtungen und Dienste der öffentlichen und
freien Jugendhilfe, Leistungserbringer der Eingliederungshilfe (§ 125 SGB IX),
Gesundheitsämter, Sozialämter, Schulen, Polizei- und Ordnungsbehörden, Agenturen für
Arbeit, Krankenhäuser, Sozialpädiatrische Zentren, Frühförderstellen, Beratungsstellen für
soziale Problemlagen, Schwangerschafts(konflikt)beratungsstellen, Einrichtungen der
Müttergenesung und zum Schutz gegen Gewalt in engen sozialen Beziehungen,
Mehrgenerationenhäuser, Familienbildungsstätten, Familiengerichte und Angehörige der
Heilberufe. The network registry measures every commune against that list, so the list
is kept here as data (:data:`KKG_CATEGORIES`).

The profiles of the model communes do not use the statute's words: they list
"Kitas", "ARGE", "Amtsgericht und Staatsanwaltschaft" or "Sozialpädiatrie Klinikum
(ZEUS)". :data:`INSTITUTION_TYPES` is the curated, finer vocabulary in which
institutions are recorded; each type says which § 3 KKG categories it covers, and
:func:`classify_institution` maps a free-text name onto a type with transparent,
deterministic rules (no learning, so that a coordinator can see *why* a name landed
where it did and a test can pin the behaviour). :func:`kkg_gaps` then answers the
question the project asks of each network: which statutory partners are missing?

This module is pure Python; labels are lazy translations so importing it needs no Django
settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

__all__ = [
    "INSTITUTION_TYPES",
    "KKG_CATEGORIES",
    "KKG_PARAGRAPH",
    "MIXED_NAME_FACTOR",
    "Classification",
    "InstitutionType",
    "InstitutionTypeCode",
    "KkgCategory",
    "KkgCode",
    "classify_institution",
    "get_institution_type",
    "get_kkg_category",
    "institution_type_choices",
    "kkg_categories_for",
    "kkg_category_choices",
    "kkg_gaps",
    "normalize_name",
]


# --------------------------------------------------------------------------------------
# § 3 Abs. 2 KKG
# --------------------------------------------------------------------------------------

KKG_PARAGRAPH = "§ 3 Abs. 2 KKG"


class KkgCode(StrEnum):
    """Codes of the § 3 Abs. 2 KKG member categories, in the order the statute names them."""

    YOUTH_WELFARE = "youth_welfare"
    INTEGRATION_ASSISTANCE = "integration_assistance"
    HEALTH_OFFICE = "health_office"
    SOCIAL_WELFARE_OFFICE = "social_welfare_office"
    SCHOOL = "school"
    POLICE = "police"
    EMPLOYMENT_AGENCY = "employment_agency"
    HOSPITAL = "hospital"
    SOCIAL_PAEDIATRIC_CENTRE = "social_paediatric_centre"
    EARLY_INTERVENTION = "early_intervention"
    SOCIAL_COUNSELLING = "social_counselling"
    PREGNANCY_COUNSELLING = "pregnancy_counselling"
    MATERNAL_RECOVERY = "maternal_recovery"
    VIOLENCE_PROTECTION = "violence_protection"
    MULTIGENERATIONAL_HOUSE = "multigenerational_house"
    FAMILY_EDUCATION = "family_education"
    FAMILY_COURT = "family_court"
    HEALTHCARE_PROFESSIONS = "healthcare_professions"


@dataclass(frozen=True, slots=True)
class KkgCategory:
    """One member category of a local child-protection network under § 3 Abs. 2 KKG.

    ``paragraph`` is the legal anchor shown next to a gap in reports, so a coordinator
    can cite it when inviting the missing partner.
    """

    code: str
    label: str
    paragraph: str

    def __str__(self) -> str:
        return str(self.label)


def _kkg(code: KkgCode, label: str, paragraph: str = KKG_PARAGRAPH) -> KkgCategory:
    return KkgCategory(str(code), label, paragraph)


KKG_CATEGORIES: tuple[KkgCategory, ...] = (
    _kkg(
        KkgCode.YOUTH_WELFARE,
        _("Einrichtungen und Dienste der öffentlichen und freien Jugendhilfe"),
        KKG_PARAGRAPH,
    ),
    _kkg(
        KkgCode.INTEGRATION_ASSISTANCE,
        _("Leistungserbringer der Eingliederungshilfe"),
        f"{KKG_PARAGRAPH} i. V. m. § 125 SGB IX",
    ),
    _kkg(KkgCode.HEALTH_OFFICE, _("Gesundheitsämter"), KKG_PARAGRAPH),
    _kkg(KkgCode.SOCIAL_WELFARE_OFFICE, _("Sozialämter"), KKG_PARAGRAPH),
    _kkg(KkgCode.SCHOOL, _("Schulen"), KKG_PARAGRAPH),
    _kkg(KkgCode.POLICE, _("Polizei- und Ordnungsbehörden"), KKG_PARAGRAPH),
    _kkg(KkgCode.EMPLOYMENT_AGENCY, _("Agenturen für Arbeit"), KKG_PARAGRAPH),
    _kkg(KkgCode.HOSPITAL, _("Krankenhäuser"), KKG_PARAGRAPH),
    _kkg(KkgCode.SOCIAL_PAEDIATRIC_CENTRE, _("Sozialpädiatrische Zentren"), KKG_PARAGRAPH),
    _kkg(KkgCode.EARLY_INTERVENTION, _("Frühförderstellen"), KKG_PARAGRAPH),
    _kkg(KkgCode.SOCIAL_COUNSELLING, _("Beratungsstellen für soziale Problemlagen"), KKG_PARAGRAPH),
    _kkg(
        KkgCode.PREGNANCY_COUNSELLING,
        _("Schwangerschafts(konflikt)beratungsstellen"),
        f"{KKG_PARAGRAPH} i. V. m. §§ 3, 8 SchKG",
    ),
    _kkg(KkgCode.MATERNAL_RECOVERY, _("Einrichtungen der Müttergenesung"), KKG_PARAGRAPH),
    _kkg(
        KkgCode.VIOLENCE_PROTECTION,
        _("Einrichtungen zum Schutz gegen Gewalt in engen sozialen Beziehungen"),
        KKG_PARAGRAPH,
    ),
    _kkg(KkgCode.MULTIGENERATIONAL_HOUSE, _("Mehrgenerationenhäuser"), KKG_PARAGRAPH),
    _kkg(KkgCode.FAMILY_EDUCATION, _("Familienbildungsstätten"), KKG_PARAGRAPH),
    _kkg(KkgCode.FAMILY_COURT, _("Familiengerichte"), KKG_PARAGRAPH),
    _kkg(KkgCode.HEALTHCARE_PROFESSIONS, _("Angehörige der Heilberufe"), KKG_PARAGRAPH),
)

_KKG_BY_CODE: dict[str, KkgCategory] = {category.code: category for category in KKG_CATEGORIES}


# --------------------------------------------------------------------------------------
# Institution type codes
# --------------------------------------------------------------------------------------


class InstitutionTypeCode(StrEnum):
    """Stable codes of :data:`INSTITUTION_TYPES`; refer to these instead of string literals."""

    YOUTH_OFFICE = "youth_office"
    FREE_PROVIDER = "free_provider"
    DAYCARE = "daycare"
    SCHOOL = "school"
    HEALTH_OFFICE = "health_office"
    CLINIC = "clinic"
    SOCIAL_PAEDIATRIC_CENTRE = "social_paediatric_centre"
    EARLY_INTERVENTION = "early_intervention"
    PHYSICIAN = "physician"
    MIDWIFE = "midwife"
    POLICE = "police"
    PUBLIC_ORDER = "public_order"
    FAMILY_COURT = "family_court"
    PUBLIC_PROSECUTOR = "public_prosecutor"
    FORENSIC_MEDICINE = "forensic_medicine"
    COUNSELLING = "counselling"
    PREGNANCY_COUNSELLING = "pregnancy_counselling"
    VIOLENCE_PROTECTION = "violence_protection"
    CHILD_PROTECTION_ASSOCIATION = "child_protection_association"
    EMPLOYMENT_AGENCY = "employment_agency"
    SOCIAL_WELFARE_OFFICE = "social_welfare_office"
    SOCIAL_PSYCHIATRIC_SERVICE = "social_psychiatric_service"
    INTEGRATION_ASSISTANCE = "integration_assistance"
    EARLY_HELP = "early_help"
    FAMILY_EDUCATION = "family_education"
    MULTIGENERATIONAL_HOUSE = "multigenerational_house"
    MATERNAL_RECOVERY = "maternal_recovery"
    HOMELESS_ASSISTANCE = "homeless_assistance"
    FAMILIES = "families"
    UNCLASSIFIED = "unclassified"


# --------------------------------------------------------------------------------------
# Name normalisation and classification rules
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Classification:
    """Result of :func:`classify_institution`.

    ``confidence`` is in [0, 1] and meant for sorting a review queue, not as a
    probability. ``matched`` is the fragment of the normalised name that decided the
    type, so the decision can be explained in the UI.
    """

    type_code: str
    confidence: float
    matched: str | None


# Confidence of a name that names several institutions of different types, relative to
# the confidence of the deciding rule (see classify_institution).
MIXED_NAME_FACTOR = 0.6

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
# "Beratungs- stelle" (a line-break hyphen) is joined; "Kinder- und Jugendpsychiatrie"
# (a suspended compound, "Ergänzungsstrich") keeps its hyphen.
_LINE_BREAK_HYPHEN = re.compile(r"(?<=\w)- +(?!(?:und|oder|u|bzw|sowie)\b)(?=\w)")
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_GLUED_PUNCTUATION = re.compile(r"([,;:])(?=\w)")


def normalize_name(name: str) -> str:
    """Normalise a name for matching: lowercase, umlauts as ae/oe/ue/ss, hyphens and spaces.

    Profiles are copied from PDFs, so they carry non-breaking spaces, soft hyphens,
    line-break hyphens ("Beratungs- stelle") and missing spaces after commas. Hyphens
    inside compounds ("Mutter-Kind-Gruppe") become spaces so that rules see the parts.
    """
    text = unicodedata.normalize("NFC", name).translate(_INVISIBLE)
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text).strip().lower().translate(_TRANSLITERATION)
    text = _LINE_BREAK_HYPHEN.sub("", text)
    text = _INNER_HYPHEN.sub(" ", text)
    text = _GLUED_PUNCTUATION.sub(r"\1 ", text)
    return text


@dataclass(frozen=True, slots=True)
class _Rule:
    """One classification rule: alternative regexes over the normalised name.

    ``alternatives`` are written with umlauts for readability; ``pattern`` is compiled
    from them after the same transliteration that :func:`normalize_name` applies.
    ``whole_name`` rules must match the entire name (families and clients: "Familien"
    alone is a participant group, "Beratungsstellen für … Familien" is not).
    ``carrier`` rules recognise a welfare association by its name; they only decide when
    nothing more specific matched, and never make a name count as "mixed".
    """

    type_code: str
    alternatives: tuple[str, ...]
    pattern: re.Pattern[str]
    confidence: float
    whole_name: bool = False
    carrier: bool = False


def _rule(
    type_code: str,
    *alternatives: str,
    confidence: float,
    whole_name: bool = False,
    carrier: bool = False,
) -> _Rule:
    source = "|".join(alternatives).translate(_TRANSLITERATION)
    return _Rule(str(type_code), alternatives, re.compile(source), confidence, whole_name, carrier)


_FAMILY_WORD = (
    r"(?:betroffene\w* |ratsuchende\w* )?"
    r"(?:familien|eltern(?:teile)?|mütter|väter|klient(?:inn)?en|adressat(?:inn)?en)"
)

T = InstitutionTypeCode

# Order is the decision: the first rule that matches wins. Specific rules come before
# generic ones, e.g. the Gesundheitsamt before "ärztlich", the Sozialpädiatrisches Zentrum
# before "Klinikum", niedergelassene Ärzte before "Psychiatrie", the school before
# "Beratung", Beratungsstellen before the Jugendamt (a unit named inside an office is
# more specific than the office), and the names of welfare associations last.
_RULES: tuple[_Rule, ...] = (
    _rule(
        T.FAMILIES,
        rf"{_FAMILY_WORD}(?: ?(?:und|,|/|&) ?{_FAMILY_WORD})*",
        confidence=0.9,
        whole_name=True,
    ),
    _rule(
        T.HEALTH_OFFICE,
        r"gesundheitsamt",
        r"gesundheitsämter",
        r"öffentliche\w* gesundheitsdienst",
        r"fachbereich gesundheit",
        r"jugendärztliche\w* dienst",
        r"\bkjgd\b",
        confidence=0.95,
    ),
    _rule(T.SOCIAL_PSYCHIATRIC_SERVICE, r"sozialpsychiatrisch", r"\bspdi\b", confidence=0.9),
    _rule(T.POLICE, r"polizei", r"\bkripo\b", confidence=0.95),
    _rule(
        T.PUBLIC_ORDER,
        r"ordnungsamt",
        r"ordnungsbehörde",
        r"ordnungsdienst",
        r"rettungsdienst",
        r"feuerwehr",
        confidence=0.9,
    ),
    # Family courts are departments of the Amtsgerichte (§ 23b GVG); it comes before the
    # Staatsanwaltschaft because it is the § 3 KKG partner (see classify_institution).
    _rule(
        T.FAMILY_COURT,
        r"familiengericht",
        r"familienrichter",
        r"familiensenat",
        r"amtsgericht",
        confidence=0.95,
    ),
    _rule(T.PUBLIC_PROSECUTOR, r"staatsanwalt", confidence=0.95),
    _rule(T.FORENSIC_MEDICINE, r"rechtsmedizin", r"gerichtsmedizin", confidence=0.95),
    _rule(
        T.SOCIAL_PAEDIATRIC_CENTRE,
        r"sozialpädiatrische\w* zentr",
        r"\bspz\b",
        confidence=0.95,
    ),
    _rule(
        T.MATERNAL_RECOVERY,
        r"müttergenesung",
        r"mutter kind kur",
        r"mutter und kind kur",
        r"mütterkur",
        r"kurklinik",
        confidence=0.9,
    ),
    _rule(
        T.PHYSICIAN,
        r"niedergelassen",
        r"praxis\b",
        r"praxen\b",
        r"kinderarzt",
        r"kinderärzt",
        r"kinder- und jugendärzt",
        r"hausarzt",
        r"hausärzt",
        r"frauenarzt",
        r"frauenärzt",
        r"gynäkolog",
        confidence=0.9,
    ),
    _rule(T.MIDWIFE, r"hebamme", r"entbindungspfleger", confidence=0.95),
    _rule(
        T.CLINIC,
        r"klinik",
        r"krankenhaus",
        r"krankenhäuser",
        r"hospital",
        r"psychiatrie",
        r"kinderschutzambulanz",
        confidence=0.9,
    ),
    _rule(
        T.PHYSICIAN,
        r"ärzt",
        r"\barzt",
        r"(?<!sozial)therapeut",
        r"psychotherap",
        r"ergotherap",
        r"logopäd",
        r"physiotherap",
        confidence=0.75,
    ),
    _rule(T.EARLY_INTERVENTION, r"frühförder", confidence=0.95),
    _rule(
        T.FAMILY_EDUCATION,
        r"familienbildung",
        r"familienzentr",
        r"mütterzentr",
        r"elternschule",
        r"haus der familie",
        r"häuser der familie",
        r"eltern kind zentr",
        confidence=0.9,
    ),
    _rule(T.MULTIGENERATIONAL_HOUSE, r"mehrgenerationenh", r"\bmgh\b", confidence=0.95),
    # "schul" but not Hochschule/Volkshochschule, Schulden or Schulung.
    _rule(
        T.SCHOOL,
        r"(?<!hoch)schul(?!d|ung)",
        r"schüler",
        r"\bogs\b",
        r"lehrer",
        confidence=0.9,
    ),
    _rule(
        T.INTEGRATION_ASSISTANCE,
        r"eingliederungshilfe",
        r"lebenshilfe",
        r"behindertenhilfe",
        r"heilpädagogisch",
        r"werkstatt für (?:behinderte|menschen mit behinderung)",
        r"\bwfbm\b",
        confidence=0.9,
    ),
    _rule(
        T.DAYCARE,
        r"\bkita",
        r"kindertages",
        r"kindergart",
        r"kindergärt",
        r"krippe",
        r"\bhorte?\b",
        r"tagespflege",
        r"tagesmütter",
        r"tagesmutter",
        r"tageseltern",
        confidence=0.9,
    ),
    _rule(
        T.PREGNANCY_COUNSELLING,
        r"schwangerschaft",
        r"schwangeren",
        r"pro familia",
        r"profamilia",
        r"donum vitae",
        confidence=0.95,
    ),
    _rule(
        T.VIOLENCE_PROTECTION,
        r"frauenhaus",
        r"frauenhäuser",
        r"frauenunterstützung",
        r"frauenberatung",
        r"frauennotruf",
        r"frauenschutz",
        r"gewaltschutz",
        r"häusliche\w* gewalt",
        r"gewalt in engen",
        r"interventionsstelle",
        confidence=0.95,
    ),
    _rule(
        T.EMPLOYMENT_AGENCY,
        r"\barge\b",
        r"jobcenter",
        r"job center",
        r"agentur für arbeit",
        r"agenturen für arbeit",
        r"arbeitsagentur",
        r"arbeitsamt",
        confidence=0.95,
    ),
    _rule(
        T.EARLY_HELP,
        r"frühe\w* hilfe",
        r"frühwarn",
        r"besuchsdienst",
        r"willkommensbesuch",
        r"babybesuch",
        r"begrüßungsbesuch",
        r"familienservice",
        r"familienbüro",
        r"familienpaten",
        r"ehrenamtliche\w* familien",
        confidence=0.9,
    ),
    _rule(T.CHILD_PROTECTION_ASSOCIATION, r"kinderschutzbund", r"\bdksb\b", confidence=0.95),
    _rule(
        T.COUNSELLING,
        r"beratung",
        r"suchthilfe",
        r"drogenhilfe",
        r"sexualisierte\w* gewalt",
        r"sexuelle\w* missbrauch",
        r"wildwasser",
        r"zartbitter",
        r"kinderschutzzentr",
        r"sorgentelefon",
        confidence=0.85,
    ),
    _rule(
        T.YOUTH_OFFICE,
        r"jugendamt",
        r"jugendämter",
        r"amt für soziale dienste",
        r"\b(?:asd|ksd|rsd)\b",
        r"allgemeine\w* soziale\w* dienst",
        r"kommunale\w* soziale\w* dienst",
        r"soziale\w* dienste",
        r"\bsoz\.? dienste",
        r"fachdienst kinderschutz",
        r"fachbereich jugend",
        r"amt für jugend",
        r"jugendbehörde",
        r"jugendgerichtshilfe",
        r"jugendhilfe im strafverfahren",
        r"pflegekinderdienst",
        r"öffentliche\w* jugendhilfe",
        r"öffentliche\w* träger",
        confidence=0.95,
    ),
    _rule(
        T.SOCIAL_WELFARE_OFFICE,
        r"sozialamt",
        r"sozialämter",
        r"amt für soziales",
        r"fachbereich soziales",
        r"grundsicherung",
        r"sozialhilfe",
        confidence=0.9,
    ),
    _rule(
        T.HOMELESS_ASSISTANCE,
        r"wohnungslos",
        r"obdachlos",
        r"wohnungsnotfall",
        confidence=0.9,
    ),
    _rule(
        T.FREE_PROVIDER,
        r"freie\w* träger",
        r"träger der (?:freien )?jugendhilfe",
        r"erziehungshilfe",
        r"hilfen? zur erziehung",
        r"familienhilfe",
        r"\bspfh\b",
        r"kinderdorf",
        r"jugenddorf",
        r"wohngruppe",
        r"jugendwohn",
        r"heimerziehung",
        r"kinderheim",
        r"jugendhilfe",
        r"\bambulant",
        r"stationär",
        r"flexible\w* hilfe",
        r"pädagogische\w* wohnen",
        r"betreute\w* wohnen",
        r"inobhutnahme",
        r"jugendarbeit",
        r"jugendzentrum",
        r"jungenhaus",
        r"mädchenhaus",
        confidence=0.8,
    ),
    # A "Mutter-Kind-Gruppe" beside residential help (seed 002) is most likely a joint
    # housing form for mother and child (§ 19 SGB VIII), but it may also be a parent-child
    # group of family education; hence the lower confidence. Mutter-Kind-Kuren are caught
    # earlier by the Müttergenesung rule.
    _rule(T.FREE_PROVIDER, r"mutter kind (?:gruppe|haus|einrichtung|wohn)", confidence=0.6),
    _rule(
        T.FREE_PROVIDER,
        r"diakonie",
        r"diakonisch",
        r"caritas",
        r"arbeiterwohlfahrt",
        r"\bawo\b",
        r"paritätisch",
        r"\bdpwv\b",
        r"rotes kreuz",
        r"\bdrk\b",
        r"wohlfahrtspflege",
        r"wohlfahrtsverband",
        r"\bcjd\b",
        r"sozialdienst katholischer",
        r"\bskf\b",
        r"\bskm\b",
        r"johanniter",
        r"malteser",
        r"arbeiter samariter",
        r"volkssolidarität",
        confidence=0.5,
        carrier=True,
    ),
)

del T

# --------------------------------------------------------------------------------------
# Institution types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstitutionType:
    """A kind of institution as recorded in the network registry.

    ``kkg`` lists the § 3 Abs. 2 KKG categories an institution of this type counts for;
    it is deliberately conservative, because a type that claims too much hides a gap in
    the network. ``keywords`` are the lowercase regex patterns that recognise the type in
    a name (written with umlauts; match them against :func:`normalize_name` output only
    after the same folding, or simply call :func:`classify_institution`). They are taken
    from the classification rules so that documentation and behaviour cannot drift apart.
    """

    code: str
    label: str
    kkg: tuple[str, ...]
    keywords: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.label)


def _type(code: InstitutionTypeCode, label: str, kkg: tuple[KkgCode, ...]) -> InstitutionType:
    keywords = tuple(
        alternative
        for rule in _RULES
        if rule.type_code == code
        for alternative in rule.alternatives
    )
    return InstitutionType(str(code), label, tuple(str(item) for item in kkg), keywords)


T = InstitutionTypeCode
K = KkgCode

INSTITUTION_TYPES: tuple[InstitutionType, ...] = (
    _type(T.YOUTH_OFFICE, _("Jugendamt / Allgemeiner Sozialer Dienst"), (K.YOUTH_WELFARE,)),
    _type(T.FREE_PROVIDER, _("Freier Träger der Jugendhilfe"), (K.YOUTH_WELFARE,)),
    # Kitas and Kindertagespflege are youth-welfare services (§§ 22 ff. SGB VIII).
    _type(T.DAYCARE, _("Kindertageseinrichtung / Kindertagespflege"), (K.YOUTH_WELFARE,)),
    _type(T.SCHOOL, _("Schule / Schulaufsicht / schulbezogene Beratung"), (K.SCHOOL,)),
    _type(T.HEALTH_OFFICE, _("Gesundheitsamt"), (K.HEALTH_OFFICE,)),
    _type(T.CLINIC, _("Klinik / Krankenhaus"), (K.HOSPITAL,)),
    _type(
        T.SOCIAL_PAEDIATRIC_CENTRE,
        _("Sozialpädiatrisches Zentrum"),
        (K.SOCIAL_PAEDIATRIC_CENTRE,),
    ),
    _type(T.EARLY_INTERVENTION, _("Frühförderstelle"), (K.EARLY_INTERVENTION,)),
    _type(
        T.PHYSICIAN,
        _("Niedergelassene Ärztin / niedergelassener Arzt / Therapeutin / Therapeut"),
        (K.HEALTHCARE_PROFESSIONS,),
    ),
    # Midwives are a regulated healing profession; § 4 Abs. 1 KKG names them expressly.
    _type(T.MIDWIFE, _("Hebamme / Familienhebamme"), (K.HEALTHCARE_PROFESSIONS,)),
    _type(T.POLICE, _("Polizei"), (K.POLICE,)),
    _type(T.PUBLIC_ORDER, _("Ordnungsbehörde / Rettungsdienst"), (K.POLICE,)),
    # Family courts are departments of the Amtsgerichte (§ 23b GVG).
    _type(T.FAMILY_COURT, _("Familiengericht / Amtsgericht"), (K.FAMILY_COURT,)),
    # Not named in § 3 Abs. 2 KKG, but a frequent partner in child-protection cases.
    _type(T.PUBLIC_PROSECUTOR, _("Staatsanwaltschaft"), ()),
    # Forensic medicine is practised by physicians, who count as Angehörige der Heilberufe.
    _type(T.FORENSIC_MEDICINE, _("Rechtsmedizin"), (K.HEALTHCARE_PROFESSIONS,)),
    _type(
        T.COUNSELLING,
        _("Beratungsstelle (Erziehungs-, Familien-, Sucht- und Drogenberatung)"),
        (K.SOCIAL_COUNSELLING,),
    ),
    _type(
        T.PREGNANCY_COUNSELLING,
        _("Schwangerschafts(konflikt)beratungsstelle"),
        (K.PREGNANCY_COUNSELLING,),
    ),
    _type(
        T.VIOLENCE_PROTECTION,
        _("Frauenhaus / Frauenunterstützung / Gewaltschutz"),
        (K.VIOLENCE_PROTECTION,),
    ),
    # The Kinderschutzbund is a recognised free provider of youth welfare (§ 75 SGB VIII).
    _type(T.CHILD_PROTECTION_ASSOCIATION, _("Kinderschutzbund"), (K.YOUTH_WELFARE,)),
    # Jobcenter (formerly ARGE) are joint bodies of the Agentur für Arbeit and the
    # commune (§ 44b SGB II), so they bring the Agentur für Arbeit to the table.
    _type(
        T.EMPLOYMENT_AGENCY,
        _("Jobcenter / ARGE / Agentur für Arbeit"),
        (K.EMPLOYMENT_AGENCY,),
    ),
    _type(T.SOCIAL_WELFARE_OFFICE, _("Sozialamt"), (K.SOCIAL_WELFARE_OFFICE,)),
    # Kept apart from the Sozialamt: in most Länder the Sozialpsychiatrische Dienst is part
    # of the Gesundheitsamt (seed 002 lists it inside "Gesundheitsamt (…)"); counting it as
    # a Sozialamt would hide a real gap.
    _type(T.SOCIAL_PSYCHIATRIC_SERVICE, _("Sozialpsychiatrischer Dienst"), (K.HEALTH_OFFICE,)),
    _type(
        T.INTEGRATION_ASSISTANCE,
        _("Leistungserbringer der Eingliederungshilfe"),
        (K.INTEGRATION_ASSISTANCE,),
    ),
    # Frühe Hilfen are youth-welfare services (§ 16 Abs. 3 SGB VIII, § 1 Abs. 4 KKG).
    _type(
        T.EARLY_HELP,
        _("Frühe Hilfen (Koordinierungsstelle, Besuchsdienste, Familienservice)"),
        (K.YOUTH_WELFARE,),
    ),
    _type(
        T.FAMILY_EDUCATION,
        _("Familienbildungsstätte / Familienzentrum / Mütterzentrum"),
        (K.FAMILY_EDUCATION,),
    ),
    _type(T.MULTIGENERATIONAL_HOUSE, _("Mehrgenerationenhaus"), (K.MULTIGENERATIONAL_HOUSE,)),
    _type(T.MATERNAL_RECOVERY, _("Einrichtung der Müttergenesung"), (K.MATERNAL_RECOVERY,)),
    # Help for people in particular social difficulties (§ 67 SGB XII) is a classic
    # "Beratungsstelle für soziale Problemlagen".
    _type(T.HOMELESS_ASSISTANCE, _("Wohnungslosenhilfe"), (K.SOCIAL_COUNSELLING,)),
    # Not an institution, but the profiles list families and clients as participants.
    _type(T.FAMILIES, _("Familien / Klientinnen und Klienten"), ()),
    _type(T.UNCLASSIFIED, _("unklassifiziert"), ()),
)

del T, K

_TYPES_BY_CODE: dict[str, InstitutionType] = {item.code: item for item in INSTITUTION_TYPES}


def institution_type_choices() -> list[tuple[str, str]]:
    """``choices`` for a Django ``CharField``; labels stay lazy so the language is per request."""
    return [(item.code, item.label) for item in INSTITUTION_TYPES]


def get_institution_type(code: str) -> InstitutionType:
    """Look up a type by code; an unknown code is a programming error, hence ``KeyError``."""
    return _TYPES_BY_CODE[code]


def kkg_category_choices() -> list[tuple[str, str]]:
    """``choices`` for a field that stores one § 3 Abs. 2 KKG category."""
    return [(category.code, category.label) for category in KKG_CATEGORIES]


def get_kkg_category(code: str) -> KkgCategory:
    """Look up a § 3 Abs. 2 KKG category by code (``KeyError`` if unknown)."""
    return _KKG_BY_CODE[code]


def kkg_categories_for(type_code: str) -> tuple[KkgCategory, ...]:
    """The § 3 Abs. 2 KKG categories an institution type counts for (``KeyError`` if unknown)."""
    return tuple(_KKG_BY_CODE[code] for code in get_institution_type(type_code).kkg)


def kkg_gaps(type_codes: Iterable[str]) -> list[KkgCategory]:
    """§ 3 Abs. 2 KKG categories that none of the given institution types covers.

    This is the registry's "whom is the network missing?" report. The result keeps the
    statute's order so reports read like the law. Unknown type codes raise ``KeyError``
    rather than silently counting as nothing, which would inflate the gaps.
    """
    covered: set[str] = set()
    for type_code in type_codes:
        covered.update(get_institution_type(type_code).kkg)
    return [category for category in KKG_CATEGORIES if category.code not in covered]


# --------------------------------------------------------------------------------------
# Classification of free-text institution names
# --------------------------------------------------------------------------------------


# Top-level separators between institutions in one participant entry; text inside
# parentheses qualifies an institution and is never split off.
_SEGMENT_SEPARATOR = re.compile(r"\s*(?:,|;|/|&|\bund\b|\bsowie\b|\bu\.)\s*")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def _first_match(text: str, *, segment: bool) -> tuple[_Rule, re.Match[str]] | None:
    for rule in _RULES:
        if rule.whole_name:
            if segment:
                continue
            match = rule.pattern.fullmatch(text)
        else:
            match = rule.pattern.search(text)
        if match:
            return rule, match
    return None


def _segment_types(text: str) -> set[str]:
    """Types named by the top-level parts of a name such as "Amtsgericht und Staatsanwaltschaft"."""
    top_level = _PARENTHESISED.sub(" ", text)
    types: set[str] = set()
    for segment in _SEGMENT_SEPARATOR.split(top_level):
        hit = _first_match(segment.strip(), segment=True)
        if hit is not None and not hit[0].carrier:
            types.add(hit[0].type_code)
    return types


def classify_institution(name: str) -> Classification:
    """Map a free-text institution name to an institution type.

    Rules:

    1. The name is normalised (:func:`normalize_name`).
    2. The ordered rules in ``_RULES`` are tried; the first match decides the type, its
       confidence and the ``matched`` fragment. The order puts specific before generic
       ("Sozialpädiatrisches Zentrum" before "Klinikum", "Gesundheitsamt" before
       "ärztlich"), and within a tie the § 3 KKG partner before a non-member.
    3. If the top-level parts of the name (split at "und", commas, "/", "&"; parentheses
       are kept with their institution) name institutions of *different* types, the name
       is "mixed": the first rule still decides, and the confidence is multiplied by
       :data:`MIXED_NAME_FACTOR`. So "Amtsgericht und Staatsanwaltschaft" is a family
       court with confidence 0.57, flagging it for a coordinator to split. Welfare
       associations ("Diakonie", "Arbeiterwohlfahrt") name the carrier, not a second
       institution, and do not make a name mixed.
    4. Nothing matched (or the name is empty): ``unclassified`` with confidence 0.
    """
    text = normalize_name(name)
    hit = _first_match(text, segment=False) if text else None
    if hit is None:
        return Classification(str(InstitutionTypeCode.UNCLASSIFIED), 0.0, None)
    rule, match = hit
    confidence = rule.confidence
    if not rule.whole_name and _segment_types(text) - {rule.type_code}:
        confidence = round(confidence * MIXED_NAME_FACTOR, 2)
    return Classification(rule.type_code, confidence, match.group(0))
