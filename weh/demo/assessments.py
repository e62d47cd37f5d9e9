"""Demo assessments: self-assessments of demo subjects, written through the assessment services.

Each assessment is started, answered, documented with evidence and (for some) submitted exactly
as an applicant of the subject's owner would do it in the editor. Ratings are given as one letter
per indicator; justifications are composed from a per-indicator sentence and facts about the place
(``FACTS``), or written out in full (``Demo.answers``, ``Demo.notes``). Like the registry data, the
texts are illustrative: close to what is publicly known about each place, but written for the demo
and not to be cited.

Files and texts are deterministic (seeded randomness only); dates follow the clock.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from weh.accounts.models import User
from weh.assessments import services
from weh.assessments.models import Assessment
from weh.registry.models import Subject
from weh.review import services as review_services
from weh.standards.selectors import get_standard_version

DATA_FILE = Path(__file__).with_name("registry.yaml")
NOT_APPLICABLE = "n"
UNANSWERED = "."

# One letter per rating, lowest first, for each standard's scale.
LETTERS: dict[str, dict[str, str]] = {
    "iucn-nbs": {"i": "insufficient", "p": "partial", "a": "adequate", "s": "strong"},
    "weh-framework": {"i": "insufficient", "p": "partial", "a": "adequate", "s": "strong"},
    "iucn-green-list": {"x": "not_met", "p": "partly_met", "m": "met"},
    "uea": {"0": "not_started", "i": "in_progress", "a": "achieved"},
}


# --- Evidence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A short PDF report."""

    indicator: str
    name: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """A CSV table of monitoring data; ``rows`` builds the rows from a seeded generator."""

    indicator: str
    name: str
    title: str
    header: tuple[str, ...]
    rows: Callable[[random.Random], list[Sequence[Any]]]
    seed: int


@dataclass(frozen=True)
class Chart:
    """A PNG bar chart."""

    indicator: str
    name: str
    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    unit: str


@dataclass(frozen=True)
class Link:
    indicator: str
    url: str
    title: str


Evidence = Document | Sheet | Chart | Link


def pdf_bytes(title: str, paragraphs: Sequence[str]) -> bytes:
    """A small, valid and reproducible PDF report."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=title,
        author="World Environmental Hubs demo",
        invariant=1,
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph("Illustrative document written for the WEH demo data set.", styles["Italic"]),
        Spacer(1, 6 * mm),
    ]
    for paragraph in paragraphs:
        story.append(Paragraph(escape(paragraph), styles["BodyText"]))
        story.append(Spacer(1, 2 * mm))
    document.build(story)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _tick(raw: float) -> float:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) of at least ``raw``."""
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def png_bytes(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> bytes:
    """A plain bar chart, drawn with Pillow."""
    width, height = 720, 400
    left, right, top, bottom = 70, 24, 56, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((left, 18), title, fill="#1f2933", font=_font(18))
    step = _tick(max(values) * 1.1 / 4)
    top_value = step * 4
    plot_height = height - top - bottom
    ink, grid = "#52606d", "#e4e7eb"
    for index in range(5):
        value = step * index
        y = height - bottom - plot_height * index / 4
        draw.line((left, y, width - right, y), fill=grid)
        label = f"{value:,.0f}" if step >= 1 else f"{value:.1f}"
        draw.text((8, y - 7), label, fill=ink, font=_font(12))
    draw.text((8, top - 22), unit, fill=ink, font=_font(12))
    slot = (width - left - right) / len(values)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = left + index * slot + slot * 0.18
        x1 = left + (index + 1) * slot - slot * 0.18
        y0 = height - bottom - plot_height * value / top_value
        draw.rectangle((x0, y0, x1, height - bottom), fill="#2e7d32")
        draw.text((x0, height - bottom + 8), label, fill=ink, font=_font(12))
    draw.line((left, height - bottom, width - right, height - bottom), fill=ink)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def evidence_file(item: Document | Sheet | Chart) -> bytes:
    if isinstance(item, Document):
        return pdf_bytes(item.title, item.paragraphs)
    if isinstance(item, Sheet):
        return csv_bytes(item.header, item.rows(random.Random(item.seed)))  # noqa: S311 - demo data
    return png_bytes(item.title, item.labels, item.values, item.unit)


# --- Justifications ----------------------------------------------------------------------------

# What each indicator asks for (used when it is missing) and what the place has (a sentence with
# {facts}). The facts of each place are in FACTS below.
SENTENCES: dict[str, dict[str, tuple[str, str]]] = {
    "iucn-nbs": {
        "1.1": (
            "ranking of societal challenges agreed with the people affected",
            "In consultations with {people}, {challenge} came out as the most pressing challenges.",
        ),
        "1.2": (
            "written analysis of the challenges, their causes and who they affect",
            "The causes of {challenge}, and the groups most exposed to them, are described in "
            "{plan}.",
        ),
        "1.3": (
            "set of well-being targets with a baseline",
            "Well-being benefits ({benefits}) are defined against a {baseline_year} baseline and "
            "followed through {monitoring}.",
        ),
        "2.1": (
            "analysis of how the local economy, society and ecosystems interact",
            "The design rests on an analysis of {ecosystems} and of the livelihoods that depend "
            "on them.",
        ),
        "2.2": (
            "coordination with other interventions and sectors",
            "The intervention is coordinated with {links}.",
        ),
        "2.3": (
            "register of risks arising beyond the site",
            "Risks beyond the site, notably {risks}, are listed in the risk register kept by "
            "{unit}.",
        ),
        "3.1": (
            "assessment of ecosystem condition and of the drivers of its loss",
            "Actions follow {baseline}, which mapped the condition of {ecosystems} and the main "
            "drivers of loss: {drivers}.",
        ),
        "3.2": (
            "set of measurable biodiversity targets with a baseline",
            "Biodiversity outcomes are set as measurable targets: {targets}.",
        ),
        "3.3": (
            "check for unintended harm to nature",
            "Monitoring includes checks for unintended harm, such as {harm}.",
        ),
        "3.4": (
            "plan to strengthen ecosystem integrity and connectivity",
            "Connectivity is strengthened by {connectivity}.",
        ),
        "4.1": (
            "account of costs and benefits and of who pays and who gains",
            "Costs and benefits, and who pays and who gains, are set out in {cba}.",
        ),
        "4.2": (
            "cost-effectiveness study",
            "A cost-effectiveness study compared the options under {scenarios}.",
        ),
        "4.3": (
            "comparison with alternative solutions",
            "Before this option was chosen it was compared with {alternative}.",
        ),
        "4.4": ("plan drawing on several kinds of funding", "Funding combines {funding}."),
        "5.1": (
            "feedback and grievance mechanism",
            "Feedback and grievances are received through {grievance}.",
        ),
        "5.2": (
            "agreed rules of participation and consent",
            "Participation follows agreed rules of mutual respect, and the consent of "
            "{rights_holders} was recorded before works that affect them.",
        ),
        "5.3": (
            "map of the people affected",
            "A stakeholder map identifies {people}, who have been involved since the design stage.",
        ),
        "5.4": (
            "record of decisions and of the responses to stakeholders",
            "Decisions, and the responses to stakeholders' concerns, are recorded in the minutes "
            "of {forum}.",
        ),
        "5.5": ("arrangement for joint decisions across jurisdictions", "{crossborder}"),
        "6.1": (
            "analysis of trade-offs with safeguards",
            "Trade-offs are acknowledged openly, notably {tradeoffs}, and safeguards have been "
            "agreed.",
        ),
        "6.2": (
            "record of land and resource rights",
            "Rights to use land and resources, including {rights}, are mapped and acknowledged.",
        ),
        "6.3": ("regular review of safeguards", "Safeguards are reviewed {review} by {forum}."),
        "7.1": (
            "written strategy on which monitoring rests",
            "The theory of change that monitoring is built on is set out in {plan}.",
        ),
        "7.2": (
            "monitoring and evaluation plan in use",
            "Monitoring follows {monitoring}, with a budget and named responsibilities.",
        ),
        "7.3": (
            "framework for learning and adjustment",
            "Results are discussed at {learning} and have led to changes, for example "
            "{adjustment}.",
        ),
        "8.1": (
            "public account of the design and lessons",
            "Design, results and lessons have been shared through {sharing}.",
        ),
        "8.2": (
            "contribution to policies and regulations",
            "The intervention has informed {policy}.",
        ),
        "8.3": (
            "link to national and global goals",
            "Its contribution to {goals} is identified and reported.",
        ),
    },
    "weh-framework": {
        "W1.1": (
            "adopted strategy for nature-based solutions",
            "{plan} was formally adopted by {council} and covers the whole of {name}.",
        ),
        "W1.2": (
            "rule to compare nature-based with grey options",
            "Nature-based options are assessed alongside {alternative} through {screening}.",
        ),
        "W1.3": (
            "place for nature-based solutions in land-use plans and sector policies",
            "Nature-based solutions are written into {sector_plans}.",
        ),
        "W1.4": (
            "accountable unit for nature-based solutions",
            "Delivery is the responsibility of {unit}, which coordinates the departments involved.",
        ),
        "W2.1": (
            "jurisdiction-wide biodiversity baseline",
            "The baseline is {baseline}, built from {data_sources}.",
        ),
        "W2.2": (
            "assessment of the drivers of nature loss and of the societal challenges",
            "The drivers of nature loss ({drivers}) and the priority challenges ({challenge}) are "
            "assessed in {plan}.",
        ),
        "W2.3": (
            "expert review of methods and data",
            "Methods, data and key decisions are reviewed by {experts}.",
        ),
        "W3.1": (
            "set of measurable, dated targets for nature",
            "Targets are dated and aligned with national targets: {targets}.",
        ),
        "W3.2": (
            "effective protection of the most important areas",
            "The areas most important for biodiversity, including {protected}, are protected "
            "under recognised designations.",
        ),
        "W3.3": ("record of restoration", "Restoration is under way and recorded: {restoration}."),
        "W3.4": (
            "mapped and safeguarded connectivity network",
            "Ecological connectivity, through {connectivity}, is mapped and safeguarded in the "
            "land-use plan.",
        ),
        "W4.1": (
            "quantified account of the benefits of nature",
            "The benefits people receive from nature ({benefits}) are quantified in {valuation}.",
        ),
        "W4.2": (
            "monitoring programme for nature and nature-based solutions",
            "Monitoring follows {monitoring}, with defined indicators and responsibilities.",
        ),
        "W4.3": (
            "public progress report",
            "Progress is reported publicly in {report}, shortfalls included.",
        ),
        "W4.4": (
            "account of the costs and benefits of priority solutions",
            "The costs and benefits of priority solutions, and who bears or receives them, are "
            "documented in {cba}.",
        ),
        "W5.1": (
            "participation and grievance mechanism",
            "Communities take part in planning and review through {forum}; grievances go to "
            "{grievance}.",
        ),
        "W5.2": (
            "process to respect the rights of Indigenous peoples and local communities",
            "The rights of {rights_holders} are respected, and their consent is sought before "
            "decisions that affect them.",
        ),
        "W5.3": (
            "analysis of who gains and who bears the burdens",
            "The distribution of benefits and burdens is considered, with attention to "
            "{vulnerable}.",
        ),
        "W5.4": (
            "publication of plans and budgets in the local languages",
            "Plans, decisions and budgets are published in {languages} on {portal}.",
        ),
        "W6.1": (
            "identifiable budget lines for nature",
            "The budget contains identifiable lines for nature: {budget}.",
        ),
        "W6.2": ("mix of funding sources", "Funding combines {funding}."),
        "W6.3": ("programme to build staff skills", "Staff skills are built through {training}."),
        "W6.4": (
            "screening of spending for harm to nature",
            "Public spending and procurement are screened through {screening_spend}.",
        ),
        "W7.1": (
            "use of existing assessments and commitments",
            "This assessment builds on {existing}.",
        ),
        "W7.2": (
            "partnership supporting delivery",
            "Delivery is supported by partnerships with {partners}.",
        ),
        "W7.3": (
            "published case study",
            "Lessons are shared; {casestudy} has been published as a case study.",
        ),
        "W7.4": (
            "participation in networks and reporting",
            "{name} takes part in {network} and contributes data to {reporting}.",
        ),
    },
    "iucn-green-list": {
        "1.1.1": (
            "inventory of rights holders and stakeholders",
            "Rights holders and stakeholders, including {rights_holders}, are identified in "
            "{plan}.",
        ),
        "1.1.2": (
            "effective role for stakeholders in decisions",
            "Stakeholders take part in decisions through {governance}.",
        ),
        "1.1.3": ("process for free, prior and informed consent", "{fpic}"),
        "1.2.1": (
            "public information on rules, plans and budgets",
            "Rules, plans, budgets and decisions are published {info}.",
        ),
        "1.2.2": (
            "clear accountability of those who govern",
            "{authority} governs the site and answers for its decisions and spending to "
            "{accountable_to}.",
        ),
        "1.2.3": (
            "process for concerns and disputes",
            "Concerns and disputes are raised through {grievance}.",
        ),
        "1.3.1": (
            "periodic review of governance",
            "Governance arrangements are reviewed {review}.",
        ),
        "1.3.2": (
            "governing body with the means to act",
            "{authority} has the legal authority and a dedicated budget; {capacity}.",
        ),
        "1.3.3": (
            "governance response to change",
            "Governance has adapted to change, for example {adaptation}.",
        ),
        "2.1.1": (
            "inventory of the major natural values",
            "The major natural values are identified: {values}.",
        ),
        "2.1.2": (
            "account of ecosystem services and their beneficiaries",
            "The ecosystem services identified include {services}.",
        ),
        "2.1.3": (
            "inventory of cultural values",
            "Cultural values are identified with their custodians: {cultural}.",
        ),
        "2.2.1": (
            "design adequate to conserve the values",
            "The site's size, boundaries and zoning are {design}.",
        ),
        "2.2.2": ("secure legal status", "{legal}"),
        "2.2.3": (
            "design that accounts for the wider landscape",
            "The design takes the surrounding landscape into account: {landscape}.",
        ),
        "2.3.1": (
            "threat assessment",
            "The main threats are assessed for severity and extent: {threats}.",
        ),
        "2.3.2": (
            "assessment of climate change effects",
            "The likely effects of climate change are assessed: {climate}.",
        ),
        "2.3.3": (
            "assessment of wider challenges",
            "Wider challenges are identified: {challenges}.",
        ),
        "2.4.1": (
            "account of the social and economic context",
            "The social and economic context is documented: {context}.",
        ),
        "2.4.2": (
            "assessment of local costs and benefits",
            "Costs and benefits for local communities are assessed: {costs_benefits}.",
        ),
        "2.4.3": (
            "account of stakeholders' needs in planning",
            "Stakeholders' needs and concerns are taken into account through {stakeholder_input}.",
        ),
        "3.1.1": (
            "current management plan",
            "Long-term objectives for the major values are set in {plan}.",
        ),
        "3.1.2": (
            "action plan with priorities and timelines",
            "The plan is turned into {annual_plan} with priorities, responsibilities and "
            "timelines.",
        ),
        "3.1.3": ("adequate staff and funding", "Resources: {resources}."),
        "3.1.4": (
            "participatory, regularly reviewed plan",
            "The plan was prepared with stakeholders and is reviewed {plan_review}.",
        ),
        "3.2.1": (
            "management that maintains or restores ecological condition",
            "Condition is maintained or restored through {restoration}.",
        ),
        "3.2.2": (
            "science-based management decisions",
            "Decisions rest on the best available knowledge from {science}.",
        ),
        "3.2.3": ("management for resilience", "Resilience is strengthened by {resilience}."),
        "3.3.1": (
            "support for local well-being and livelihoods",
            "Management supports local livelihoods through {livelihoods}.",
        ),
        "3.3.2": (
            "measures to reduce the costs borne by local people",
            "Costs to local people are reduced through {compensation}.",
        ),
        "3.3.3": (
            "cooperation with local authorities and economic sectors",
            "The site works with {local_partners} so that development around it supports "
            "conservation.",
        ),
        "3.4.1": (
            "prioritised management of threats",
            "Management actions address the main threats in order of priority: {threat_actions}.",
        ),
        "3.4.2": ("monitoring of threats", "Threats are monitored through {threat_monitoring}."),
        "3.4.3": (
            "joint action on threats from outside the site",
            "Threats from outside the site are tackled with partners: {external}.",
        ),
        "3.5.1": ("clear and known rules", "The rules are clear and communicated {rules}."),
        "3.5.2": ("resourced enforcement", "Enforcement: {enforcement}."),
        "3.5.3": (
            "fair and proportionate enforcement",
            "Enforcement is proportionate and respects rights; {fair_enforcement}.",
        ),
        "3.6.1": (
            "regulation of access and resource use",
            "Access and resource use are regulated: {access}.",
        ),
        "3.6.2": ("visitor management", "Visitor use is planned and managed: {visitors}."),
        "3.6.3": ("support for traditional uses", "{traditional}"),
        "3.7.1": (
            "monitoring programme",
            "Monitoring tracks the major values and the results of management: {monitoring}.",
        ),
        "3.7.2": (
            "evaluation of management effectiveness",
            "Management effectiveness is evaluated {evaluation}.",
        ),
        "3.7.3": (
            "public reporting of results",
            "Results are reported to stakeholders and the public {reporting}.",
        ),
        "4.1.1": (
            "evidence that the natural values are stable or improving",
            "Trends in the major natural values: {values_trend}.",
        ),
        "4.1.2": (
            "evidence that the conservation objectives are met",
            "Progress against the conservation objectives: {objectives}.",
        ),
        "4.1.3": ("evidence that threats are reduced", "Threat reduction: {threats_trend}."),
        "4.2.1": (
            "evidence that ecosystem services are maintained",
            "Ecosystem services: {services_trend}.",
        ),
        "4.2.2": ("evidence of fair sharing of benefits", "Benefit sharing: {benefit_sharing}."),
        "4.3.1": (
            "evidence that cultural values are maintained",
            "Cultural values: {cultural_trend}.",
        ),
        "4.3.2": ("access for the custodians of cultural values", "{custodians}"),
    },
}

# What the rating adds to the sentence, by level; chosen in turn so that texts vary.
WITH_EVIDENCE = "The attached evidence shows it in use."
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "top": (
        "In place for several years and applied consistently; checked at the last internal review.",
        "Documented, funded and in routine use.",
        "Fully in place; the records are kept by {unit}.",
    ),
    "high": (
        "In place, but not yet applied consistently across {place}.",
        "Largely in place; the remaining gaps are listed in our action plan.",
        "In place, although updates have been irregular.",
    ),
    "part": (
        "So far this covers only part of {place}.",
        "Some elements are still missing; they are listed in our action plan.",
        "The work is not yet complete enough, or documented well enough, to rate higher.",
    ),
    "low": (
        "A known gap, raised again at the last consultation.",
        "This is a priority of the next work plan.",
        "Work on it has only just started.",
    ),
}


def _level(scale: Sequence[str], letter: str) -> str:
    position = scale.index(letter)
    if position == len(scale) - 1:
        return "top"
    if position == 0:
        return "low"
    if len(scale) == 4 and position == 2:
        return "high"
    return "part"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def compose(
    standard: str,
    code: str,
    letter: str,
    facts: dict[str, str],
    turn: int,
    documented: bool = False,
) -> str:
    """The justification of one rating, from the indicator's sentence and the place's facts.

    ``documented``: evidence is attached to the indicator (and the text may say so)."""
    topic, sentence = SENTENCES[standard][code]
    level = _level(list(LETTERS[standard]), letter)
    variants = QUALIFIERS[level]
    if level == "top" and documented:
        variants = (WITH_EVIDENCE,)
    qualifier = variants[turn % len(variants)].format_map(facts)
    if level == "low":
        return f"Not yet: {facts['name']} has no {topic}. {qualifier}"
    said = _sentence(sentence.format_map(facts))
    if level == "part":
        return f"Partly in place. {said} {qualifier}"
    return f"{said} {qualifier}"


# --- The places --------------------------------------------------------------------------------

FACTS: dict[str, dict[str, str]] = {
    "jeju": {
        "name": "Jeju",
        "place": "the island",
        "unit": "the Climate and Environment Bureau of the provincial government",
        "challenge": "the depletion and nitrate pollution of groundwater, typhoon flooding and "
        "coastal erosion",
        "people": "village associations, the haenyeo divers' cooperatives, citrus growers and "
        "tourism operators",
        "plan": "the provincial Nature-Based Solutions Action Plan 2024-2030",
        "benefits": "safe drinking water from the aquifer, fewer flooded homes in Jeju City and "
        "Seogwipo, and income for coastal villages",
        "baseline_year": "2022",
        "monitoring": "the provincial groundwater monitoring network of some 150 wells and the "
        "ecosystem survey run with the Jeju Research Institute",
        "ecosystems": "the gotjawal lava forests, oreum grasslands, coastal wetlands and the "
        "near-shore reef",
        "links": "the Carbon-Free Island Jeju 2030 plan, the Jeju Special Act groundwater rules "
        "and the World Heritage and Global Geopark management plans",
        "risks": "tourism growth, new resort development on the mid-slopes and sea-level rise",
        "baseline": "the 2022 island-wide ecosystem survey",
        "drivers": "conversion of gotjawal for farming and resorts, fertiliser and livestock "
        "run-off, and invasive Sasa bamboo on the upper slopes",
        "targets": "restore 300 ha of gotjawal and 40 km of natural coastline by 2030, and keep "
        "nitrate below 5 mg/l in 95 % of monitoring wells",
        "harm": "trampling of oreum slopes by visitors and the spread of planted non-native trees",
        "connectivity": "a green-blue network that links Hallasan, the gotjawal belts and the "
        "coastal wetlands through stream corridors",
        "cba": "the 2023 economic appraisal by the Jeju Research Institute",
        "scenarios": "three climate and visitor-growth scenarios",
        "alternative": "concrete flood channels, new reservoirs and a desalination plant",
        "funding": "the provincial budget, Ministry of Environment grants, the proposed visitor "
        "environmental contribution and company partnerships for gotjawal land trusts",
        "grievance": "the provincial civil complaints portal and quarterly village meetings",
        "rights_holders": "the village fishing cooperatives and the landowners of the gotjawal "
        "plots",
        "forum": "the Jeju Environmental Policy Council",
        "crossborder": "Decisions on the shared marine area are taken jointly with the national "
        "Ministry of Oceans and Fisheries and the neighbouring county offices.",
        "tradeoffs": "limits on new farmland in the groundwater protection zones and on coastal "
        "road widening",
        "rights": "the village fishing rights of the haenyeo cooperatives and private ownership "
        "of most gotjawal land",
        "review": "every two years",
        "learning": "the annual NbS review workshop with Jeju National University",
        "adjustment": "moving stream restoration upstream after the 2022 typhoon season showed "
        "where floods started",
        "sharing": "the UNESCO Global Geoparks Network and the annual Jeju Forum",
        "policy": "the revision of the provincial groundwater management ordinance",
        "goals": "Korea's national biodiversity strategy, the 2050 carbon neutrality goal and the "
        "Kunming-Montreal Global Biodiversity Framework",
        # WEH Recognition Framework
        "council": "the Jeju Special Self-Governing Provincial Council in 2024",
        "screening": "the provincial pre-feasibility review of public works",
        "sector_plans": "the Jeju 2040 comprehensive plan, the water management plan and the "
        "climate adaptation plan",
        "data_sources": "the National Ecosystem Survey, the World Heritage monitoring and records "
        "from the Hallasan Research Institute",
        "experts": "an advisory panel of Jeju National University and the National Institute of "
        "Ecology",
        "protected": "Hallasan National Park, the World Heritage lava tubes and the "
        "Dongbaekdongsan Ramsar wetland",
        "restoration": "142 ha of gotjawal and 11 km of stream banks restored since 2020",
        "valuation": "the 2023 ecosystem services study of the Jeju Research Institute",
        "report": "the annual environment white paper of the province",
        "vulnerable": "older residents of coastal villages and seasonal farm workers",
        "languages": "Korean, with summaries in English and Chinese",
        "portal": "www.jeju.go.kr",
        "budget": "a nature and water line of about 3 % of the provincial budget, planned over "
        "five years",
        "training": "the provincial civil service academy and exchanges with the National "
        "Institute of Ecology",
        "screening_spend": "a checklist in the public procurement rules",
        "existing": "the IUCN NbS self-assessment of 2025 and the UNESCO Biosphere Reserve "
        "periodic review",
        "partners": "Jeju National University, the Jeju Research Institute, the Jeju Olle "
        "Foundation and village associations",
        "casestudy": "the Seonheul gotjawal wetland village programme",
        "network": "ICLEI and the UNESCO Global Geoparks Network",
        "reporting": "the national biodiversity information system",
    },
    "xianju": {
        "name": "Xianju",
        "place": "the county",
        "unit": "the county Ecology and Environment Bureau",
        "plan": "the Xianju Ecological Civilisation Plan 2021-2035",
        "council": "the Xianju County People's Congress Standing Committee in 2021",
        "alternative": "raised concrete embankments and new reservoirs",
        "screening": "the river-chief review of every water project",
        "sector_plans": "the county territorial spatial plan, the flood-control plan and the rural "
        "revitalisation plan",
        "baseline": "the county biodiversity survey of 2020-2022",
        "data_sources": "the national forest inventory, county field surveys and records of the "
        "Kuocangshan nature reserve",
        "drivers": "past gravel extraction, hard embankments and the spread of plantation forestry",
        "challenge": "flood risk on the Yong'an River, water quality and rural incomes",
        "experts": "Zhejiang University and the provincial forestry academy",
        "targets": "keep forest cover above 79 % and raise the river's Class II water-quality days "
        "to 95 % by 2030",
        "protected": "the Kuocangshan provincial nature reserve and the Shenxianju scenic area",
        "restoration": "38 km of river bank and 1,200 ha of mixed broadleaf forest restored since "
        "2017",
        "connectivity": "the Yong'an River corridor and its tributary valleys",
        "benefits": "flood storage, clean water and eco-tourism income",
        "valuation": "the county's annual gross ecosystem product (GEP) accounts",
        "monitoring": "the county water-quality stations and forest plots",
        "report": "the annual county ecological environment bulletin",
        "cba": "the GEP accounts and the Yong'an corridor project appraisal",
        "forum": "village committees and public hearings on the spatial plan",
        "grievance": "the 12345 government hotline",
        "rights_holders": "collective village landowners and forest contract holders",
        "vulnerable": "smallholders in the upland townships",
        "languages": "Chinese",
        "portal": "the county government website",
        "budget": "an eco-compensation fund and a river-management line in the county budget",
        "funding": "the county budget, provincial eco-compensation transfers and green loans",
        "training": "provincial training courses for river chiefs and forest rangers",
        "screening_spend": "the environmental review of public investment projects",
        "existing": "the national eco-county designation and the IUCN NbS self-assessment of the "
        "Yong'an corridor",
        "partners": "Zhejiang University, the provincial water resources department and local "
        "tourism cooperatives",
        "casestudy": "the Yong'an River corridor",
        "network": "the national ecological civilisation demonstration network",
        "reporting": "the provincial GEP accounting platform",
    },
    "taizhou": {
        "name": "Taizhou",
        "place": "the municipality",
        "unit": "the municipal Ecology and Environment Bureau",
        "plan": "the Taizhou Coastal Wetland Protection Plan",
        "council": "the municipal government in 2023",
        "alternative": "higher sea walls and pumped drainage",
        "screening": "a pilot review of coastal works by the natural resources bureau",
        "sector_plans": "the municipal territorial spatial plan and the sea-wall upgrade programme",
        "baseline": "the 2021 coastal wetland survey",
        "data_sources": "satellite mapping of tidal flats and bird counts",
        "drivers": "land reclamation, aquaculture ponds and invasive Spartina",
        "challenge": "typhoon storm surges, as in 2019 when Typhoon Lekima came ashore at Wenling, "
        "and the loss of tidal flats",
        "experts": "the Zhejiang Institute of Hydraulics and Estuary",
        "targets": "no net loss of natural tidal flats and 500 ha of Spartina removed by 2027",
        "protected": "the Jiaojiang estuary wetlands",
        "restoration": "Spartina removal trials on 60 ha",
        "connectivity": "the chain of estuaries along the coast",
        "benefits": "storm-surge protection and fisheries",
        "valuation": "a pilot valuation of coastal wetlands",
        "monitoring": "the coastal monitoring stations",
        "report": "the municipal environment bulletin",
        "cba": "the sea-wall programme appraisal",
        "forum": "township consultations",
        "grievance": "the 12345 government hotline",
        "rights_holders": "aquaculture lease holders and fishing villages",
        "vulnerable": "fishing households",
        "languages": "Chinese",
        "portal": "the municipal government website",
        "budget": "a coastal protection line",
        "funding": "the municipal budget and provincial transfers",
        "training": "provincial courses",
        "screening_spend": "environmental impact assessment",
        "existing": "Xianju County's assessments",
        "partners": "the Zhejiang Institute of Hydraulics and Estuary and birdwatching societies",
        "casestudy": "the Spartina removal trial",
        "network": "the East Asian-Australasian Flyway Partnership",
        "reporting": "national wetland statistics",
    },
    "geneva": {
        "name": "the Canton of Geneva",
        "place": "the canton",
        "unit": "the cantonal Office for Agriculture and Nature (OCAN)",
        "plan": "the Geneva Biodiversity Strategy 2030",
        "council": "the Council of State in 2018, with an action plan following in 2020,",
        "alternative": "culverts, dykes and retention basins",
        "screening": "the cantonal river renaturation programme, which reviews every flood project",
        "sector_plans": "the cantonal master plan, the climate plan and the water management plans",
        "baseline": "the cantonal ecological infrastructure map",
        "data_sources": "the Swiss biodiversity monitoring, info species records and cantonal "
        "habitat mapping",
        "drivers": "urban growth, fragmentation by roads and intensive farming",
        "challenge": "summer heat in the city, flooding of small rivers and loss of farmland "
        "habitats",
        "experts": "the University of Geneva, HEPIA and the Conservatory and Botanical Garden",
        "targets": "30 % of the canton as ecological infrastructure by 2030 and canopy cover "
        "raised in the urban area",
        "protected": "the Rhône and Allondon valleys and the Moulin-de-Vert reserve",
        "restoration": "more than 20 km of rivers renatured since 1997, the Aire among them",
        "connectivity": "the cross-border green-blue corridors agreed in the Grand Genève "
        "contracts",
        "benefits": "flood storage, cooling and recreation",
        "valuation": "the cantonal ecosystem services study",
        "monitoring": "the cantonal biodiversity monitoring and river quality stations",
        "report": "the biennial biodiversity report of the canton",
        "cba": "the renaturation programme evaluations",
        "forum": "the Grand Genève participatory forum and commune consultations",
        "grievance": "the cantonal ombudsman",
        "rights_holders": "farmers and communes",
        "vulnerable": "dense neighbourhoods with little green space",
        "languages": "French",
        "portal": "www.ge.ch",
        "budget": "the renaturation fund and the biodiversity action plan budget",
        "funding": "the cantonal budget, federal programme agreements and communal contributions",
        "training": "cantonal courses and the HEPIA continuing education programme",
        "screening_spend": "a sustainability assessment of cantonal projects",
        "existing": "the cantonal biodiversity strategy and federal programme agreements",
        "partners": "Pro Natura Genève, the University of Geneva and French neighbouring "
        "authorities",
        "casestudy": "the renaturation of the Aire",
        "network": "the Swiss cantonal nature conservation conference and the Grand Genève "
        "agglomeration",
        "reporting": "federal biodiversity monitoring",
    },
    "yongan": {
        "name": "the Yong'an River corridor",
        "place": "the corridor",
        "unit": "the county Water Resources Bureau",
        "challenge": "flood damage to riverside villages, declining water quality and the lack of "
        "income in upland townships",
        "people": "the 26 riverside village committees, farmers, rafting and homestay operators",
        "plan": "the Yong'an River ecological corridor master plan of 2017",
        "benefits": "fewer flooded fields and houses, cleaner water at village swimming spots and "
        "tourism income along the greenway",
        "baseline_year": "2016",
        "monitoring": "six water-quality stations, flood marks and annual visitor counts",
        "ecosystems": "the braided river bed, gravel bars, riparian woods and paddy fields",
        "links": "the county river-chief system, the rural revitalisation plan and the provincial "
        "'beautiful rivers' programme",
        "risks": "upstream gravel mining and pesticide run-off from waxberry orchards",
        "baseline": "the 2016 river habitat survey",
        "drivers": "gravel extraction, hard embankments and untreated sewage",
        "targets": "Class II water quality on 95 % of days and the return of the Chinese "
        "soft-shelled turtle and otter to the middle reaches",
        "harm": "disturbance of nesting birds on gravel bars by cyclists on the greenway",
        "connectivity": "reconnecting 14 oxbows and side channels to the main river",
        "cba": "the project appraisal and the county's gross ecosystem product accounts",
        "scenarios": "20-year and 50-year flood scenarios",
        "alternative": "raising the concrete embankments along the whole reach",
        "funding": "the county budget, provincial river restoration grants, a green loan and "
        "tourism concession fees",
        "grievance": "the river-chief notice boards with a hotline number at every village",
        "rights_holders": "the village collectives whose land became floodable meadow",
        "forum": "the county corridor steering group",
        "crossborder": "The corridor lies within Xianju County; the downstream reach is managed "
        "jointly with Linhai under the Taizhou river-chief system.",
        "tradeoffs": "the loss of some riverside farmland to floodable meadow",
        "rights": "collective village land and contracted farm plots",
        "review": "each year",
        "learning": "the annual corridor review meeting",
        "adjustment": "widening the meadow at Baita after the 2019 flood",
        "sharing": "the provincial river restoration conference and a national case study",
        "policy": "the county river management regulations of 2020",
        "goals": "China's ecological civilisation targets and the Kunming-Montreal framework",
    },
    "medellin-corridors": {
        "name": "Medellín's green corridors",
        "place": "the corridor network",
        "unit": "the Secretariat of Environment of the Mayor's Office",
        "challenge": "urban heat, air pollution and the lack of green space in poor neighbourhoods",
        "people": "residents' action boards (juntas de acción comunal), street vendors, schools "
        "and the gardeners recruited from vulnerable groups",
        "plan": "the 2016-2019 municipal development plan and the green corridors programme "
        "document",
        "benefits": "cooler streets, cleaner air and jobs for gardeners",
        "baseline_year": "2016",
        "monitoring": "temperature loggers along 18 corridors and the SIATA air-quality network",
        "ecosystems": "the streams (quebradas), road verges and the hillside parks of the Aburrá "
        "valley",
        "links": "the metropolitan air-quality plan, the Metro and the Parques del Río project",
        "risks": "tree loss to road works and the valley's air inversion",
        "baseline": "the 2015 urban tree census",
        "drivers": "paving, canalised streams and ageing trees",
        "targets": "12,500 new trees and shrubs, and connected habitat for urban birds between "
        "the Cerro Nutibara and the river",
        "harm": "the spread of ornamental species and pruning during nesting",
        "connectivity": "linking 30 corridors with the river and the hillside parks",
        "cba": "the programme evaluation of 2019",
        "scenarios": "several heat and air-quality scenarios",
        "alternative": "air-conditioned public spaces and grey drainage",
        "funding": "the municipal budget, metropolitan funds and international awards",
        "grievance": "the municipal citizen service lines and neighbourhood meetings",
        "rights_holders": "residents of the affected blocks",
        "forum": "the corridor neighbourhood committees",
        "crossborder": "Corridors that cross into Envigado and Bello are agreed with those "
        "municipalities through the Metropolitan Area of the Aburrá Valley.",
        "tradeoffs": "the loss of some parking and vending space",
        "rights": "the rights of street vendors to their spots",
        "review": "every year",
        "learning": "the programme's quarterly review",
        "adjustment": "choosing native species with deeper roots after storm damage",
        "sharing": "international city networks and the 2019 Ashden award",
        "policy": "the municipal land-use plan (POT) and its tree management rules",
        "goals": "Colombia's climate commitments and the Sustainable Development Goals",
    },
    "demak": {
        "name": "Building with Nature Demak",
        "place": "the Demak coast",
        "unit": "the Wetlands International Indonesia programme team",
        "challenge": "coastal erosion that has swallowed farmland and homes, and the collapse of "
        "shrimp pond yields",
        "people": "the fishing and aquaculture households of nine coastal villages, village heads "
        "and the district fisheries office",
        "plan": "the Building with Nature Indonesia programme design and the village development "
        "plans",
        "benefits": "land regained from the sea, safer homes and better pond yields",
        "baseline_year": "2015",
        "monitoring": "shoreline surveys twice a year, sediment plots and pond yield records",
        "ecosystems": "the mangrove belt, mudflats and aquaculture ponds",
        "links": "the district coastal plan, national mangrove rehabilitation and the "
        "Semarang-Demak sea-wall programme",
        "risks": "land subsidence from groundwater pumping, which no coastal measure can stop",
        "baseline": "the 2015 coastal system analysis",
        "drivers": "mangrove clearing for ponds and subsidence",
        "targets": "sediment trapped behind 20 km of permeable structures and mangroves recovering "
        "on at least 100 ha",
        "harm": "structures that trap sediment in the wrong place",
        "connectivity": "letting mangroves recolonise along the whole coast",
        "cba": "the social cost-benefit analysis by the consortium",
        "scenarios": "subsidence and sea-level scenarios",
        "alternative": "a hard sea wall and replanting without sediment",
        "funding": "Dutch and German public funds, private foundations and district budgets",
        "grievance": "village coastal committees and the project's field office",
        "rights_holders": "pond owners and village councils",
        "forum": "the village coastal committees",
        "crossborder": "The work spans several villages and two sub-districts; plans are agreed "
        "with the district government and the province.",
        "tradeoffs": "some ponds given back to mangrove",
        "rights": "pond ownership and customary access to the mudflats",
        "review": "every season",
        "learning": "the coastal field schools",
        "adjustment": "changing the structure design after storms broke the first ones",
        "sharing": "the Wetlands International website and scientific papers",
        "policy": "village regulations on mangrove protection",
        "goals": "Indonesia's mangrove rehabilitation target and its climate commitments",
    },
    "barcelona-axes": {
        "name": "the Eixample green axes",
        "place": "the four green axes",
        "unit": "the Urban Ecology department of Barcelona City Council",
        "challenge": "summer heat, traffic noise and nitrogen dioxide pollution in the densest "
        "district of the city",
        "people": "residents, shopkeepers' associations, schools, older people's centres and the "
        "Eixample district council",
        "plan": "the Superilla Barcelona programme and its design guide for the green axes",
        "benefits": "cooler streets in summer, lower nitrogen dioxide levels and shaded space to "
        "stay and play",
        "baseline_year": "2019",
        "monitoring": "the city's air-quality stations, new street temperature sensors and "
        "counts of people using the squares",
        "ecosystems": "the street trees, planting beds and sealed soils of the Eixample grid",
        "links": "the Climate Plan 2018-2030, the Trees Master Plan 2017-2037 and the low-emission "
        "zone",
        "risks": "traffic moving to neighbouring streets and rising rents along the axes",
        "baseline": "the 2020 survey of trees and soils in the Eixample streets",
        "drivers": "sealed soil, heat stored in asphalt and a street tree population dominated by "
        "a few species",
        "targets": "twice as many trees per block and at least 20 % permeable ground on each axis",
        "harm": "irrigation demand of the new planting during drought",
        "connectivity": "planting that links the axes to the Ciutadella and Joan Miró parks",
        "cba": "the programme's economic appraisal",
        "scenarios": "present and 2050 heat scenarios",
        "alternative": "misting systems and shade canopies",
        "funding": "the city's investment plan and European recovery funds",
        "grievance": "the city's IRIS complaints system and the district hearings",
        "rights_holders": "residents and shopkeepers of the affected blocks",
        "forum": "the Eixample district council",
        "crossborder": "The axes lie entirely within the city.",
        "tradeoffs": "less space for cars and delivery vans",
        "rights": "access for deliveries, emergencies and residents' garages",
        "review": "each year",
        "learning": "the district follow-up committee",
        "adjustment": "more benches in the shade after the first summer",
        "sharing": "the city's open data portal and international city networks",
        "policy": "the city's new street design standards",
        "goals": "the city's climate emergency commitments",
    },
    "montreal-alleys": {
        "name": "Montreal's green alleys",
        "place": "the green alleys",
        "unit": "the borough eco-quartier programmes",
        "challenge": "heat islands, basement flooding during summer storms and a lack of safe "
        "places for children to play",
        "people": "residents' committees, the eco-quartiers, borough officials and the families "
        "whose yards open onto the lanes",
        "plan": "the borough green alley guides and the city's Climate Plan 2020-2030",
        "benefits": "cooler lanes, water soaking into the ground instead of the sewer, and safe "
        "play space",
        "baseline_year": "2018",
        "monitoring": "the boroughs' inventories of green alleys and canopy surveys",
        "ecosystems": "back lanes, yards and the canopy of the older boroughs",
        "links": "the city's canopy plan and the sponge-park programme",
        "risks": "snow clearing, vehicle access and the upkeep of planting by volunteers",
        "baseline": "the city canopy map",
        "drivers": "asphalt, compacted soil and ageing ash trees lost to the emerald ash borer",
        "targets": "more native shrubs and trees in each new alley",
        "harm": "the spread of invasive plants such as buckthorn",
        "connectivity": "linking alleys to parks and to each other",
        "cba": "the borough programme budgets",
        "scenarios": "heat scenarios",
        "alternative": "repaving with light-coloured asphalt",
        "funding": "borough budgets, city grants and residents' own work",
        "grievance": "the eco-quartier offices and borough council question periods",
        "rights_holders": "residents whose properties border each lane",
        "forum": "the residents' alley committees",
        "crossborder": "Each alley lies within one borough.",
        "tradeoffs": "less vehicle access to garages",
        "rights": "residents' access to their garages and parking",
        "review": "each year",
        "learning": "the eco-quartier network meetings",
        "adjustment": "a new planting guide with native species",
        "sharing": "the city website and open data on green alleys",
        "policy": "the borough by-laws on alleys",
        "goals": "the city's climate plan goals",
    },
    # --- Protected areas (IUCN Green List) ---------------------------------------------------
    "hallasan": {
        "name": "Hallasan National Park",
        "place": "the park",
        "unit": "the Hallasan National Park Management Office",
        "rights_holders": "the provincial government as landowner, adjoining villages, mountain "
        "guides, researchers and the temples on the northern slopes",
        "plan": "the Hallasan National Park management plan 2021-2030",
        "governance": "the park advisory committee, which includes village heads, Jeju National "
        "University and civic groups",
        "fpic": "No Indigenous peoples live in or hold customary rights over the park.",
        "info": "on the provincial website and at the visitor centres, in Korean and English",
        "authority": "The Jeju Special Self-Governing Province, through its park management "
        "office,",
        "accountable_to": "the Provincial Council and the Ministry of Environment",
        "grievance": "the provincial complaints portal and the advisory committee",
        "review": "with each five-yearly review of the management plan",
        "capacity": "it also manages the World Heritage core area",
        "adaptation": "the summit trail reservation system introduced in 2021 to cap visitor "
        "numbers",
        "values": "the summit crater lake Baengnokdam, the subalpine Korean fir forest, alpine "
        "plants found nowhere else in Korea and the vegetation belts from warm-temperate to "
        "subalpine",
        "services": "groundwater recharge for the island's aquifer, cooling, and recreation for "
        "more than 800,000 climbers a year",
        "cultural": "the mountain rituals of the Sancheondan altar and the legends of Seolmundae "
        "Halmang, kept alive by village shrines and the Jeju folklore societies",
        "design": "adequate for the summit ecosystems; the lower forest belts outside the "
        "boundary are covered by the Biosphere Reserve buffer zone",
        "legal": "The park has been designated under the Natural Parks Act since 1970 and is part "
        "of the World Heritage property and the Biosphere Reserve core area.",
        "landscape": "the park is the core of the Jeju Biosphere Reserve and the gotjawal belts "
        "link it to the coast",
        "threats": "decline of the Korean fir, the spread of Sasa bamboo over alpine meadows, "
        "trail erosion and visitor pressure",
        "climate": "the 2019 vulnerability study projects the loss of most subalpine habitat by "
        "2080 and more intense typhoon rainfall",
        "challenges": "tourism growth on the island and pressure for new access roads and cable "
        "cars",
        "context": "villages on the lower slopes depend on tourism and farming",
        "costs_benefits": "the 2022 study of climbing tourism and of restrictions on the lower "
        "slopes",
        "stakeholder_input": "hearings held when the management plan was drafted",
        "annual_plan": "annual work plans",
        "resources": "about 120 staff and rangers, with a stable provincial budget",
        "plan_review": "every five years",
        "restoration": "replanting of Korean fir seedlings, Sasa control plots and trail "
        "restoration",
        "science": "the Hallasan Research Institute and the National Institute of Ecology",
        "resilience": "protecting seed sources of Korean fir and keeping migration routes open "
        "down the slopes",
        "livelihoods": "jobs for local guides and rangers and support for village products",
        "compensation": "buying private land inside the park at fair prices",
        "local_partners": "the city governments of Jeju and Seogwipo and the tourism association",
        "threat_actions": "Sasa control and trail repair come first",
        "threat_monitoring": "annual surveys of Korean fir plots and trail condition",
        "external": "air pollution and climate effects are tracked with the National Institute of "
        "Ecology and the Korea Meteorological Administration",
        "rules": "at trailheads, online and in the reservation system",
        "enforcement": "rangers patrol the trails every day",
        "fair_enforcement": "fines follow the Natural Parks Act and can be appealed",
        "access": "summit trails require a reservation and collecting plants is forbidden",
        "visitors": "daily caps on the two summit trails, closing times and shuttle buses",
        "traditional": "Traditional uses are limited to rituals at shrines, which are respected.",
        "monitoring": "the Korean fir plots, alpine plant surveys and visitor counts",
        "evaluation": "at each plan review and through the national park management "
        "effectiveness evaluation",
        "reporting": "in the annual report of the management office",
        "values_trend": "the Korean fir is still declining, though more slowly in the plots where "
        "Sasa was cut, and alpine plants are stable",
        "objectives": "the trail and visitor objectives are met; the Korean fir objective is not",
        "threats_trend": "trail erosion is under control; Sasa spread has slowed",
        "services_trend": "groundwater recharge and recreation are maintained",
        "benefit_sharing": "guide jobs and village sales go to local people",
        "cultural_trend": "the Sanheon ritual and shrine visits continue",
        "custodians": "Villagers and shamans can reach the shrines and hold their rituals.",
    },
    "nairobi-np": {
        "name": "Nairobi National Park",
        "place": "the park",
        "unit": "the KWS park management team",
        "rights_holders": "Maasai landowners of the Kitengela and Athi-Kaputiei dispersal area, "
        "neighbouring residents, tour operators and conservation groups",
        "plan": "the Nairobi National Park Management Plan 2020-2030",
        "governance": "the park's community liaison committee and the public participation "
        "required for the management plan",
        "fpic": "Maasai communities of the dispersal area were consulted on the management plan; "
        "a consent process for decisions that affect their land use is still being developed.",
        "info": "on the KWS website and at the main gate",
        "authority": "The Kenya Wildlife Service",
        "accountable_to": "the Ministry of Tourism and Wildlife and to Parliament",
        "grievance": "the KWS complaints office and the county wildlife conservation committees",
        "review": "when the management plan is revised",
        "capacity": "staff are, however, often redeployed to national priorities",
        "adaptation": "stronger fencing on the city side and lion collaring after lions strayed "
        "into neighbouring estates",
        "values": "black rhino, lion and cheetah, the open savanna and the riverine forest of the "
        "Mbagathi River, and more than 400 bird species",
        "services": "recreation and education for Nairobi's residents, water regulation in the "
        "Mbagathi catchment and tourism revenue",
        "cultural": "the Maasai pastoral heritage of the Athi plains and the ivory burning site, "
        "kept by KWS and community elders",
        "design": "not sufficient on their own: the park depends on its open southern boundary "
        "for the seasonal movement of wildlife",
        "legal": "Gazetted in 1946 as Kenya's first national park, it is protected under the "
        "Wildlife Conservation and Management Act 2013.",
        "landscape": "the open southern boundary and the wildlife leases in Kitengela keep the "
        "park linked to the Athi-Kaputiei plains",
        "threats": "fencing and housing in the dispersal area, the railway and road that cross "
        "the park, and polluted water from the city",
        "climate": "the management plan assesses longer droughts and their effect on water "
        "points and grazing",
        "challenges": "infrastructure and real-estate development around the capital",
        "context": "fast-growing settlements in Kitengela and Ongata Rongai border the park",
        "costs_benefits": "a 2021 study of livestock losses to predators and of tourism income",
        "stakeholder_input": "public hearings held on the 2020 plan",
        "annual_plan": "annual operation plans",
        "resources": "ranger, veterinary and community teams based at the park headquarters",
        "plan_review": "every ten years",
        "restoration": "rhino sanctuary management, invasive plant clearing and controlled burning",
        "science": "KWS researchers and the University of Nairobi",
        "resilience": "water points and keeping the dispersal corridor open",
        "livelihoods": "the wildlife conservation lease programme, which pays landowners to keep "
        "their land open",
        "compensation": "the compensation scheme for wildlife damage under the 2013 Act",
        "local_partners": "Kajiado County and the Nairobi City County Government",
        "threat_actions": "fence repair on the city side and anti-poaching patrols come first",
        "threat_monitoring": "ranger patrol reports and regular wildlife counts",
        "external": "the railway and highway authorities and the water company",
        "rules": "at the gates and on the KWS website",
        "enforcement": "ranger patrols and a dedicated rhino protection unit",
        "fair_enforcement": "rangers follow KWS standard operating procedures",
        "access": "entry with a paid ticket only; livestock grazing is not allowed",
        "visitors": "road rules, night closure and guided walks at the Safari Walk",
        "traditional": "Grazing is not allowed inside the park but is supported on the leased "
        "land outside it.",
        "monitoring": "wildlife counts, rhino monitoring and vegetation plots",
        "evaluation": "by KWS headquarters during plan reviews",
        "reporting": "in the KWS annual report",
        "values_trend": "rhino numbers are stable to increasing, but the wildebeest and zebra "
        "migration has collapsed since the 1970s",
        "objectives": "the rhino objective is met; the migration objective is not",
        "threats_trend": "poaching is low, but the dispersal area keeps shrinking",
        "services_trend": "recreation for city residents is maintained",
        "benefit_sharing": "lease payments reach several hundred landowning families",
        "cultural_trend": "the ivory burning site is kept as a monument",
        "custodians": "Maasai communities continue to use their land in the dispersal area; no "
        "sacred sites inside the park are closed to them.",
    },
    "table-mountain": {
        "name": "Table Mountain National Park",
        "place": "the park",
        "unit": "the SANParks park management",
        "rights_holders": "the City of Cape Town, private landowners inside the park's "
        "boundary, Khoi and San groups, small-scale fishers, mountain clubs and residents' "
        "associations",
        "plan": "the park management plan",
        "governance": "the park forum, which brings together residents' associations, user "
        "groups and the City",
        "fpic": "Khoi and San groups were consulted on the cultural heritage chapter of the "
        "management plan; a formal consent process is still being agreed.",
        "info": "on the SANParks website",
        "authority": "South African National Parks",
        "accountable_to": "the Minister of Forestry, Fisheries and the Environment and to "
        "Parliament",
        "grievance": "the park forum and the SANParks customer service line",
        "review": "with each ten-year management plan",
        "capacity": "fire and law-enforcement teams are shared with the City",
        "adaptation": "joint fire management with the City after the 2021 fire on the eastern "
        "slopes",
        "values": "Cape fynbos with thousands of plant species, many found nowhere else, the "
        "African penguin colony at Boulders and the marine protected area around the peninsula",
        "services": "water from the mountain catchments, and recreation for millions of visitors "
        "a year",
        "cultural": "Khoi and San heritage, the kramats of the Cape Muslim community on the "
        "slopes, and historic military and farming sites",
        "design": "fragmented: the park is a mosaic of public and private land within the city, "
        "and some parts are too small to keep natural fire cycles",
        "legal": "Proclaimed in 1998 and managed under the Protected Areas Act, the park is part "
        "of the Cape Floral Region World Heritage property.",
        "landscape": "the park is linked to the City's biodiversity network and to the marine "
        "protected area",
        "threats": "invasive pines and wattles, too-frequent fires at the urban edge, crime "
        "against visitors and conflict with baboons",
        "climate": "hotter, drier summers and more fires are expected, with effects on fynbos "
        "regeneration",
        "challenges": "the city growing around the park and limited budgets",
        "context": "the park borders both wealthy suburbs and informal settlements",
        "costs_benefits": "jobs in alien-plant clearing and tourism, weighed against fire risk "
        "and baboon raids",
        "stakeholder_input": "public participation on the management plan",
    },
}


def _facts(key: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**FACTS[key], **(extra or {})}


# --- What to create ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """One demo assessment: who assesses what, how it is rated and what becomes of it."""

    subject: str  # the subject's key in registry.yaml
    standard: str  # "id@version"
    facts: str  # key in FACTS
    ratings: str = ""  # one letter per indicator (spaces ignored); "." open, "n" not applicable
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)  # code: (letter, text)
    notes: dict[str, str] = field(default_factory=dict)  # code: justification written out
    not_applicable: dict[str, str] = field(default_factory=dict)  # code: reason
    revised: tuple[str, ...] = ()  # first saved one step lower, then corrected
    confirm: tuple[str, ...] = ()  # crosswalk suggestions taken over
    evidence: tuple[Evidence, ...] = ()
    title: str = ""
    submit: bool = False
    days_ago: int = 0  # > 0: backdated (see _backdate)


def _registry() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when available
    with DATA_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def _actors(data: dict[str, Any]) -> dict[str, User]:
    """For each organisation key, its first applicant in the registry."""
    users = {u.username: u for u in User.objects.all()}
    chosen: dict[str, User] = {}
    for spec in data["users"]:
        for membership in spec.get("memberships", []):
            if membership["role"] == "applicant":
                chosen.setdefault(membership["org"], users[spec["username"]])
    return chosen


def _answer_items(demo: Demo, codes: list[str]) -> list[dict[str, Any]]:
    standard = demo.standard.split("@")[0]
    letters = LETTERS[standard]
    ratings = demo.ratings.replace(" ", "")
    if ratings and len(ratings) != len(codes):
        raise ValueError(f"{demo.subject} {demo.standard}: {len(ratings)} ratings for {len(codes)}")
    facts = _facts(demo.facts)
    documented = {item.indicator for item in demo.evidence}
    items = []
    for turn, code in enumerate(codes):
        if code in demo.confirm:
            continue
        if code in demo.answers:
            letter, text = demo.answers[code]
        else:
            letter = ratings[turn] if ratings else UNANSWERED
            text = ""
        if letter == UNANSWERED:
            continue
        if letter == NOT_APPLICABLE:
            items.append(
                {
                    "indicator": code,
                    "not_applicable": True,
                    "not_applicable_reason": demo.not_applicable[code],
                }
            )
            continue
        text = (
            text
            or demo.notes.get(code)
            or compose(standard, code, letter, facts, turn, code in documented)
        )
        items.append({"indicator": code, "rating": letters[letter], "justification": text})
    return items


def _first_drafts(demo: Demo, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The earlier, lower answers of the indicators in ``revised`` (for their history)."""
    scale = list(LETTERS[demo.standard.split("@")[0]].values())
    drafts = []
    for item in items:
        if item["indicator"] in demo.revised and item.get("rating") in scale[1:]:
            lower = scale[scale.index(item["rating"]) - 1]
            drafts.append(
                {
                    "indicator": item["indicator"],
                    "rating": lower,
                    "justification": "First estimate, to be checked against the latest "
                    "monitoring data before submission.",
                }
            )
    return drafts


def _add_evidence(actor: User, assessment: Assessment, items: Sequence[Evidence]) -> None:
    for item in items:
        if isinstance(item, Link):
            services.add_evidence_link(
                actor=actor,
                assessment_id=assessment.pk,
                indicator=item.indicator,
                url=item.url,
                title=item.title,
            )
            continue
        services.add_evidence_file(
            actor=actor,
            assessment_id=assessment.pk,
            indicator=item.indicator,
            upload=SimpleUploadedFile(item.name, evidence_file(item)),
            title=item.title,
        )


def _backdate(assessment: Assessment, days: int) -> None:
    # The one write that does not go through the services: an assessment made a year ago, so that
    # the comparison over time has data. The services stamp every change with the current time.
    when = timezone.now() - timedelta(days=days)
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=when - timedelta(days=45),
        updated_at=when,
        submitted_at=when if assessment.submitted_at else None,
    )


def create(demo: Demo, subject: Subject, actor: User) -> Assessment:
    assessment = services.start_assessment(
        actor=actor, subject_id=subject.pk, standard=demo.standard, title=demo.title
    )
    for code in demo.confirm:
        services.confirm_suggestion(actor=actor, assessment_id=assessment.pk, indicator=code)
    version = get_standard_version(demo.standard)
    codes = [i.code for i in version.parsed().indicators()]
    items = _answer_items(demo, codes)
    drafts = _first_drafts(demo, items)
    if drafts:
        services.save_responses(actor=actor, assessment_id=assessment.pk, items=drafts)
    if items:
        services.save_responses(actor=actor, assessment_id=assessment.pk, items=items)
    _add_evidence(actor, assessment, demo.evidence)
    if demo.submit:
        assessment = review_services.submit_assessment(actor=actor, assessment_id=assessment.pk)
    if demo.days_ago:
        _backdate(assessment, demo.days_ago)
    assessment.refresh_from_db()
    return assessment


def load_demo_assessments(admin: User) -> int:
    """Create the demo assessments (the catalog must be loaded); return how many.

    Each is made by an applicant of the subject's owner, or by ``admin`` (the secretariat)
    where the owner has no applicant in the demo."""
    data = _registry()
    owners = {spec["key"]: spec["owner"] for spec in data["subjects"]}
    names = {spec["key"]: spec["names"]["en"] for spec in data["subjects"]}
    actors = _actors(data)
    for demo in DEMOS:
        subject = Subject.objects.get(name=names[demo.subject])
        create(demo, subject, actors.get(owners[demo.subject], admin))
    return len(DEMOS)


# --- Monitoring tables (seeded, so the same bytes every time) ----------------------------------


def _groundwater(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for well in range(1, 9):
        base = rng.uniform(2.0, 6.5)
        level = rng.uniform(18, 60)
        for year in range(2019, 2026):
            nitrate = base - 0.12 * (year - 2019) + rng.uniform(-0.3, 0.3)
            rows.append(
                (f"JW-{well:02d}", year, f"{nitrate:.2f}", f"{level + rng.uniform(-2, 2):.1f}")
            )
    return rows


def _visitors(year: int) -> Callable[[random.Random], list[Sequence[Any]]]:
    def rows(rng: random.Random) -> list[Sequence[Any]]:
        out: list[Sequence[Any]] = []
        for month in range(1, 13):
            season = 1.4 if month in (5, 10) else 0.7 if month in (1, 2, 7) else 1.0
            for trail, share in (("Seongpanak", 0.45), ("Gwaneumsa", 0.2), ("Eorimok", 0.2)):
                count = int(68000 * share * season * rng.uniform(0.9, 1.1))
                out.append((f"{year}-{month:02d}", trail, count))
        return out

    return rows


def _gep(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for year in range(2018, 2025):
        growth = 1 + 0.04 * (year - 2018)
        provisioning = 2100 * growth * rng.uniform(0.97, 1.03)
        regulating = 18500 * growth * rng.uniform(0.98, 1.02)
        cultural = 3900 * (1 + 0.09 * (year - 2018)) * rng.uniform(0.95, 1.05)
        if year == 2020:
            cultural *= 0.6  # visitor numbers fell that year
        total = provisioning + regulating + cultural
        rows.append(
            (year, f"{provisioning:.0f}", f"{regulating:.0f}", f"{cultural:.0f}", f"{total:.0f}")
        )
    return rows


def _river_quality(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for station in ("Shangzhang", "Baita", "Guanlu", "Xiage", "Andian", "Dazhan"):
        for month in range(1, 13):
            oxygen = rng.uniform(7.2, 9.4)
            ammonia = rng.uniform(0.08, 0.42)
            grade = "II" if ammonia <= 0.5 and oxygen >= 6 else "III"
            rows.append((station, f"2024-{month:02d}", f"{oxygen:.1f}", f"{ammonia:.2f}", grade))
    return rows


def _street_temperatures(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for corridor in (
        "Avenida Oriental",
        "Carrera 70",
        "Avenida del Ferrocarril",
        "Avenida San Juan",
    ):
        for day in range(1, 15):
            control = rng.uniform(29.5, 33.0)
            cooling = rng.uniform(1.6, 2.6)
            rows.append(
                (corridor, f"2019-08-{day:02d}", f"{control - cooling:.1f}", f"{control:.1f}")
            )
    return rows


def _sediment(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for plot in ("TS-1", "TS-2", "TS-3", "BD-1", "BD-2", "SU-1"):
        level = 0.0
        for survey in ("2016-03", "2016-09", "2017-03", "2017-09", "2018-03", "2018-09"):
            level += rng.uniform(-1.5, 9.0)
            rows.append((plot, survey, f"{level:.1f}"))
    return rows


def _air_days(stations: Sequence[str], start: float) -> Callable[[random.Random], list[Any]]:
    def rows(rng: random.Random) -> list[Sequence[Any]]:
        out: list[Sequence[Any]] = []
        for station in stations:
            days = start * rng.uniform(0.8, 1.2)
            for year in range(2017, 2026):
                out.append((station, year, round(days)))
                days *= rng.uniform(0.82, 0.97)
        return out

    return rows


def _wildlife_counts(rng: random.Random) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for species, base in (
        ("Plains zebra", 1100),
        ("Coke's hartebeest", 420),
        ("Common eland", 260),
        ("Masai giraffe", 120),
        ("Common wildebeest", 310),
        ("African buffalo", 640),
    ):
        for year in range(2021, 2026):
            rows.append((species, year, "wet season", round(base * rng.uniform(0.85, 1.15))))
    return rows


# --- The assessments, in the order they are made (a crosswalk needs its source first) ----------

JEJU_PLAN = Document(
    "1.2",
    "jeju-nbs-action-plan-summary.pdf",
    "Jeju NbS Action Plan 2024-2030: summary",
    (
        "Jeju draws almost all of its drinking water from the basalt aquifer under the island. "
        "Nitrate from fertiliser and livestock has risen in wells on the western and eastern "
        "mid-slopes, and the water table falls in dry years as pumping grows with tourism.",
        "Typhoon rainfall now regularly overwhelms the streams that run from Hallasan through "
        "Jeju City and Seogwipo. Floods start where gotjawal forest and wetlands on the "
        "mid-slopes were cleared for farms and resorts.",
        "The plan sets three priorities agreed with villages, the haenyeo cooperatives and "
        "farmers: protect and restore gotjawal as the island's recharge zone, give streams "
        "room to flood upstream of the towns, and keep natural coast where haenyeo work.",
        "Each priority has targets for 2030, a lead department and a budget line, and is "
        "reviewed every two years by the Jeju Environmental Policy Council.",
    ),
)
JEJU_APPRAISAL = Document(
    "4.1",
    "jeju-economic-appraisal-2023.pdf",
    "Economic appraisal of Jeju's nature-based solutions (2023)",
    (
        "The appraisal compares the cost of restoring gotjawal and stream corridors with the "
        "avoided cost of flood damage, water treatment and new supply works over 30 years.",
        "Benefits are shared unevenly: downstream towns gain most of the flood protection, while "
        "landowners on the mid-slopes bear the land-use restrictions. The plan therefore pays "
        "for conservation agreements and land purchases by the provincial land trust.",
    ),
)

DEMOS = [
    Demo(
        subject="jeju",
        standard="iucn-nbs@1.0",
        facts="jeju",
        title="Jeju gotjawal, stream and coast programme",
        ratings="saa aap sapa papa aapap pap aps sap",
        revised=("3.2", "7.2"),
        notes={
            "1.1": "In 2023 the province held eleven village forums and a survey of 2,400 "
            "residents with the haenyeo cooperatives, citrus growers and tourism operators. "
            "Safe groundwater ranked first, typhoon flooding second and coastal erosion third.",
        },
        evidence=(
            JEJU_PLAN,
            JEJU_APPRAISAL,
            Sheet(
                "7.2",
                "jeju-groundwater-monitoring.csv",
                "Nitrate and water level in eight monitoring wells, 2019-2025",
                ("well", "year", "nitrate_mg_per_l", "water_level_m_asl"),
                _groundwater,
                seed=49,
            ),
            Chart(
                "3.2",
                "jeju-gotjawal-restored.png",
                "Gotjawal forest restored per year (ha)",
                ("2020", "2021", "2022", "2023", "2024", "2025"),
                (12, 18, 21, 27, 31, 33),
                "ha",
            ),
            Link("8.1", "https://www.jeju.go.kr", "Jeju Special Self-Governing Province"),
        ),
        submit=True,
    ),
    Demo(
        subject="jeju",
        standard="weh-framework@1.0",
        facts="jeju",
        title="Jeju WEH recognition, first self-assessment",
        # Confirmed suggestions carry over the NbS answers (and their evidence); a few more
        # indicators are answered by hand, the rest is still open.
        confirm=("W1.2", "W2.2", "W4.3", "W4.4", "W5.2", "W6.2", "W7.3"),
        ratings="a..a a.a .sa. .... .... a... sa..",
        evidence=(
            Document(
                "W1.1",
                "jeju-council-resolution-2024.pdf",
                "Provincial Council resolution adopting the NbS Action Plan",
                (
                    "The Jeju Special Self-Governing Provincial Council adopted the "
                    "Nature-Based Solutions Action Plan 2024-2030 at its plenary session, with "
                    "an amendment asking for a yearly progress report to the Council.",
                ),
            ),
        ),
    ),
    Demo(
        subject="hallasan-np",
        standard="iucn-green-list@1.1",
        facts="hallasan",
        title="Hallasan Green List candidacy, 2025",
        ratings="mpn mpp ppm  mmp mmm mmp ppp  mpmp ppm ppm ppp mmm mmm ppp  xpp mm mm",
        not_applicable={
            "1.1.3": "No Indigenous peoples live in the park or hold customary rights over it."
        },
        evidence=(
            Chart(
                "4.1.1",
                "hallasan-korean-fir-2024.png",
                "Korean fir: live crown cover in permanent plots (%)",
                ("2015", "2017", "2019", "2021", "2023", "2024"),
                (41, 38, 34, 31, 29, 28),
                "%",
            ),
            Sheet(
                "3.6.2",
                "hallasan-visitors-2024.csv",
                "Climbers by trail and month, 2024",
                ("month", "trail", "climbers"),
                _visitors(2024),
                seed=2024,
            ),
        ),
        submit=True,
        days_ago=365,
    ),
    Demo(
        subject="hallasan-np",
        standard="iucn-green-list@1.1",
        facts="hallasan",
        title="Hallasan Green List candidacy, 2026",
        ratings="mmn mmp mmm  mmm mmm mpm mpm  mmmp pmm mpm mmp mmm mmp mmp  ppm mm mm",
        not_applicable={
            "1.1.3": "No Indigenous peoples live in the park or hold customary rights over it."
        },
        notes={
            "4.1.1": "The decline of the Korean fir has slowed: live crown cover in the plots "
            "where Sasa bamboo was cut back has held at 29 % for two years, while plots without "
            "treatment still lose ground. Alpine plants are stable.",
        },
        evidence=(
            Chart(
                "4.1.1",
                "hallasan-korean-fir-2025.png",
                "Korean fir: live crown cover in permanent plots (%)",
                ("2015", "2017", "2019", "2021", "2023", "2025"),
                (41, 38, 34, 31, 29, 29),
                "%",
            ),
            Sheet(
                "3.6.2",
                "hallasan-visitors-2025.csv",
                "Climbers by trail and month, 2025",
                ("month", "trail", "climbers"),
                _visitors(2025),
                seed=2025,
            ),
            Document(
                "3.1.1",
                "hallasan-management-plan-summary.pdf",
                "Hallasan National Park management plan 2021-2030: summary",
                (
                    "The plan sets four long-term objectives: halt the decline of the Korean "
                    "fir forest, restore alpine grassland overgrown by Sasa bamboo, keep "
                    "visitor impacts within the capacity of the summit trails, and keep the "
                    "crater lake and its wetlands in natural condition.",
                    "Each objective has indicators measured in permanent plots or by visitor "
                    "counts, and an annual work plan assigns the actions to the management "
                    "office, the Hallasan Research Institute and partners.",
                ),
            ),
            Link("1.2.1", "https://www.jeju.go.kr", "Jeju Special Self-Governing Province"),
        ),
    ),
    Demo(
        subject="xianju",
        standard="weh-framework@1.0",
        facts="xianju",
        title="Xianju County WEH self-assessment",
        ratings="apaa sap asaa sapa papp aapa aapp",
        revised=("W4.1",),
        evidence=(
            Sheet(
                "W4.1",
                "xianju-gep-accounts.csv",
                "Gross ecosystem product of Xianju County, 2018-2024 (million CNY)",
                (
                    "年份 year",
                    "物质产品 provisioning",
                    "调节服务 regulating",
                    "文化服务 cultural",
                    "GEP 合计 total",
                ),
                _gep,
                seed=331024,
            ),
            Chart(
                "W3.3",
                "xianju-restoration.png",
                "Forest and river bank restored per year (ha)",
                ("2017", "2018", "2019", "2020", "2021", "2022", "2023"),
                (110, 160, 190, 210, 180, 170, 180),
                "ha",
            ),
            Document(
                "W1.1",
                "xianju-ecological-civilisation-plan.pdf",
                "Xianju Ecological Civilisation Plan 2021-2035: summary",
                (
                    "The plan makes the protection of forests and the Yong'an River the "
                    "foundation of the county's development, in line with the principle that "
                    "lucid waters and lush mountains are invaluable assets.",
                    "It sets targets for forest cover, water quality and gross ecosystem "
                    "product, and requires every township to show how its projects use "
                    "nature-based options before grey infrastructure is funded.",
                ),
            ),
        ),
        submit=True,
    ),
    Demo(
        subject="xianju-yongan-river",
        standard="iucn-nbs@1.0",
        facts="yongan",
        ratings="sas aas asaa saaa apaap aap asa aaa",
        evidence=(
            Sheet(
                "7.2",
                "yongan-water-quality-2024.csv",
                "Water quality at six stations, monthly, 2024",
                ("station", "month", "dissolved_oxygen_mg_per_l", "ammonia_n_mg_per_l", "class"),
                _river_quality,
                seed=2017,
            ),
            Chart(
                "1.3",
                "yongan-greenway-visitors.png",
                "Greenway visitors per year (thousands)",
                ("2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"),
                (180, 420, 610, 380, 640, 700, 930, 1050),
                "thousands",
            ),
        ),
        submit=True,
    ),
    Demo(
        subject="taizhou",
        standard="weh-framework@1.0",
        facts="taizhou",
        ratings="pp.. ap. p... .... .... .... ....",
    ),
    Demo(
        subject="geneva",
        standard="weh-framework@1.0",
        facts="geneva",
        title="Canton of Geneva, WEH self-assessment (secretariat pilot)",
        ratings="ssas sas asss aaap ansa aaap ssaa",
        not_applicable={
            "W5.2": "No Indigenous peoples or customary land rights exist in the canton; the "
            "rights of farmers and communes are covered under W5.1 and W5.3."
        },
        evidence=(
            Link("W5.4", "https://www.ge.ch", "République et canton de Genève"),
            Document(
                "W3.3",
                "geneva-river-renaturation.pdf",
                "Renaturation of Geneva's rivers since 1997",
                (
                    "Since the cantonal water law of 1997, the canton has renatured more than "
                    "20 km of rivers, widening beds, removing weirs and giving floods room to "
                    "spread. The Aire, once a straight canal, now shapes its own course over a "
                    "wide gravel bed.",
                ),
            ),
        ),
    ),
    Demo(
        subject="medellin-green-corridors",
        standard="iucn-nbs@1.0",
        facts="medellin-corridors",
        ratings="sss asa aaps aapa aaasa aaa aaa ssa",
        evidence=(
            Chart(
                "1.3",
                "medellin-corridor-cooling.png",
                "Street temperature below control streets (°C)",
                ("Oriental", "Carrera 70", "Ferrocarril", "San Juan"),
                (2.2, 2.0, 2.3, 1.8),
                "°C",
            ),
            Sheet(
                "7.2",
                "medellin-corridor-temperatures.csv",
                "Afternoon temperatures on corridors and control streets, August 2019",
                ("corridor", "date", "corridor_temp_c", "control_temp_c"),
                _street_temperatures,
                seed=2019,
            ),
            Link("8.1", "https://www.medellin.gov.co", "Alcaldía de Medellín"),
        ),
        submit=True,
    ),
    Demo(
        subject="demak-mangrove",
        standard="iucn-nbs@1.0",
        facts="demak",
        ratings="sas aas saas spsa sssaa sas sss ssa",
        evidence=(
            Sheet(
                "7.2",
                "demak-sediment-plots.csv",
                "Bed level change behind permeable structures (cm)",
                ("plot", "survey", "bed_level_change_cm"),
                _sediment,
                seed=2015,
            ),
            Chart(
                "3.2",
                "demak-mangrove-recovery.png",
                "Mangrove area recolonised behind the structures (ha)",
                ("2016", "2017", "2018", "2019", "2020", "2021"),
                (4, 11, 23, 41, 58, 72),
                "ha",
            ),
            Document(
                "5.2",
                "demak-village-agreement.pdf",
                "Timbul Sloko village agreement on the coastal belt",
                (
                    "The village council, the pond owners' group and the project agreed on "
                    "where permeable structures would be built, which ponds would return to "
                    "mangrove, and how the coastal belt would be protected by village "
                    "regulation.",
                    "The agreement was read aloud and signed at a village meeting after two "
                    "rounds of discussion; owners who gave up ponds joined the coastal field "
                    "school and received support for improved aquaculture.",
                ),
            ),
            Link("8.1", "https://www.wetlands.org", "Wetlands International"),
        ),
        submit=True,
    ),
    Demo(
        subject="barcelona-green-axes",
        standard="iucn-nbs@1.0",
        facts="barcelona-axes",
        ratings="sas aa. p... .... ..... ... ... ...",
        notes={
            "2.1": "The design rests on a block-by-block study of how residents, shops, schools "
            "and delivery firms use the streets, and of where trees and open soil can be added "
            "above the utility networks.",
        },
        evidence=(Link("1.2", "https://www.barcelona.cat", "Ajuntament de Barcelona"),),
    ),
    Demo(
        subject="montreal-green-alleys",
        standard="iucn-nbs@1.0",
        facts="montreal-alleys",
        ratings="aap ... .... .... s.a.. ... ... ...",
        evidence=(Link("1.1", "https://montreal.ca", "Ville de Montréal"),),
    ),
]

BARCELONA_UEA: dict[str, tuple[str, str]] = {
    "A1": (
        "i",
        "Municipal solar roofs and the public electricity supplier Barcelona Energia add "
        "renewable power, but generation within the city still covers well under 10 % of its "
        "peak load. The solar roadmap aims to close the gap by 2030.",
    ),
    "A2": (
        "i",
        "Renovation grants and the energy advice points reduce consumption, but the reduction "
        "of peak load has not been measured against a baseline.",
    ),
    "A3": (
        "a",
        "The Climate Plan 2018-2030, reinforced by the 2020 climate emergency declaration, aims "
        "to halve per-capita emissions by 2030 against 1992; the Barcelona Energy Agency keeps "
        "and audits the yearly emissions inventory.",
    ),
    "A4": (
        "a",
        "The Zero Waste Strategy 2021-2027, adopted by the City Council, commits the city to end "
        "landfill and incineration of residual waste, with interim targets for each district.",
    ),
    "A5": (
        "a",
        "Single-use plastic cups, plates and cutlery are banned in municipal buildings and at "
        "events; reusable cups at the city festivals cut disposable cups by more than half.",
    ),
    "A6": (
        "i",
        "Door-to-door collection in Sant Andreu and Sarrià raised separate collection sharply, "
        "but city-wide waste disposed per person has not yet fallen by the required amount.",
    ),
    "A7": (
        "a",
        "New municipal buildings must meet nearly-zero energy standards and the highest energy "
        "label under the municipal sustainable building decree.",
    ),
    "A8": (
        "a",
        "The superblock model and the metropolitan urban master plan favour mixed-use, walkable "
        "blocks linked to public transport, cycle lanes and green space.",
    ),
    "A9": (
        "a",
        "The Neighbourhood Plan (Pla de Barris) funds jobs in green maintenance and energy "
        "renovation in the lowest-income neighbourhoods of Ciutat Meridiana and El Besòs.",
    ),
    "A10": (
        "a",
        "The Green and Biodiversity Plan maps green space access: practically every resident "
        "lives within 500 m of a public park or square.",
    ),
    "A11": (
        "a",
        "The Trees Master Plan 2017-2037 rests on a full inventory of street and park trees and "
        "sets a canopy goal of 30 %, chosen with ecological and community criteria.",
    ),
    "A12": (
        "i",
        "Collserola Natural Park is protected by its special plan, but the green corridors "
        "inside the city are not yet protected by binding rules.",
    ),
    "A13": (
        "a",
        "With the orthogonal bus network completed in 2018, bus or metro stops are within "
        "500 m of almost every resident.",
    ),
    "A14": (
        "a",
        "Most of the TMB bus fleet is now hybrid, electric or gas, and particulate emissions of "
        "the fleet are well under half of their 2008 level.",
    ),
    "A15": (
        "i",
        "The low-emission zone (2020) and new cycle lanes reduce car commuting, but the "
        "mobility survey does not yet show a 10 % fall.",
    ),
    "A16": (
        "a",
        "Glyphosate was withdrawn from parks and streets and replaced by mechanical and thermal "
        "weeding; the parks service reviews its products each year.",
    ),
    "A17": (
        "i",
        "The healthy and sustainable school meals programme brings local and organic food to a "
        "growing number of canteens, but not yet to 20 % of city facilities.",
    ),
    "A18": (
        "a",
        "The Public Health Agency publishes a daily air-quality index; days above the nitrogen "
        "dioxide limit have fallen by more than 10 % since 2017 (data attached).",
    ),
    "A19": (
        "a",
        "Everyone has safe drinking water, with a social tariff for vulnerable households; "
        "domestic use is close to 100 litres per person a day after the drought measures.",
    ),
    "A20": (
        "i",
        "The city's water comes from the Ter and Llobregat rivers and aquifers managed by the "
        "Catalan Water Agency; the city supports but does not control their protection.",
    ),
    "A21": (
        "a",
        "The Besòs and Baix Llobregat plants treat all municipal wastewater, and storm tanks "
        "have cut untreated overflows to the beaches.",
    ),
}

# A year earlier, before the zero-waste commitment, the new green jobs, the fleet renewal and
# the latest air-quality data.
BARCELONA_UEA_EARLIER = {
    **BARCELONA_UEA,
    "A4": (
        "i",
        "The Zero Waste Strategy 2021-2027 is being carried out, but the City Council has not "
        "yet adopted an end date for landfill and incineration.",
    ),
    "A9": (
        "i",
        "Green maintenance jobs are offered in some neighbourhoods, but there is no dedicated "
        "programme for the lowest-income areas yet.",
    ),
    "A14": (
        "i",
        "The bus fleet is being renewed with hybrid and electric buses; fleet particulate "
        "emissions are not yet half of their 2008 level.",
    ),
    "A18": (
        "i",
        "The daily air-quality index is published, but the number of unhealthy days has not "
        "yet fallen by 10 %.",
    ),
}

MEDELLIN_UEA: dict[str, tuple[str, str]] = {
    "A1": (
        "a",
        "The city's power comes from the national grid, where hydropower is the largest "
        "source, and from EPM's mainly hydro plants: renewables supply far more than 10 % of "
        "peak load.",
    ),
    "A2": (
        "i",
        "EPM efficiency programmes and LED street lighting reduce demand, but the fall in peak "
        "load is not measured against a baseline.",
    ),
    "A3": (
        "a",
        "The Climate Action Plan 2020-2050 sets emission cuts for 2030 and carbon neutrality by "
        "2050, and the emissions inventory is updated regularly.",
    ),
    "A4": (
        "0",
        "There is no zero-waste commitment; the municipal solid waste plan still relies on the "
        "La Pradera landfill.",
    ),
    "A5": (
        "i",
        "A municipal agreement restricts single-use plastics in public buildings, but the "
        "reduction has not been measured.",
    ),
    "A6": (
        "i",
        "Recycling rests largely on organised waste pickers, who are now paid for their work; "
        "waste disposed per person has not yet fallen.",
    ),
    "A7": (
        "i",
        "A sustainable construction policy guides new public buildings, but a green-building "
        "rating is not yet compulsory.",
    ),
    "A8": (
        "a",
        "The land-use plan (POT 2014) favours a compact city along the river and the Metro, "
        "and limits growth on the steep hillsides.",
    ),
    "A9": (
        "a",
        "The green corridors programme trained and hired gardeners from vulnerable groups in "
        "low-income neighbourhoods.",
    ),
    "A10": (
        "i",
        "Green space per resident is still low, and many hillside neighbourhoods are more than "
        "500 m from a park.",
    ),
    "A11": (
        "a",
        "The urban tree census underpins the green infrastructure plan, which sets planting "
        "goals with ecological and community criteria.",
    ),
    "A12": (
        "a",
        "The Garden Belt and the protection areas of the land-use plan keep development off "
        "critical habitat on the valley slopes.",
    ),
    "A13": (
        "a",
        "The Metro, the Metrocable lines, the tram and the Metroplús buses bring public "
        "transport within 500 m of most residents, hillside neighbourhoods included.",
    ),
    "A14": (
        "i",
        "Metroplús runs gas and electric buses and the city has bought electric buses, but the "
        "older buses are still diesel.",
    ),
    "A15": (
        "i",
        "EnCicla bike share and new cycle lanes are growing, but solo car trips have not fallen "
        "by 10 %.",
    ),
    "A16": ("0", "There is no yearly programme yet to replace the most harmful chemical used."),
    "A17": (
        "i",
        "School meals programmes buy from local farmers, but organic food is still rare.",
    ),
    "A18": (
        "a",
        "The SIATA network publishes the metropolitan air-quality index in real time, and days "
        "with unhealthy air have fallen since the metropolitan air-quality plan began.",
    ),
    "A19": (
        "a",
        "EPM supplies safe water to nearly all residents, with a free minimum supply for poor "
        "households.",
    ),
    "A20": (
        "i",
        "Source watersheds such as Piedras Blancas are protected, but settlement on the eastern "
        "hills still puts pressure on them.",
    ),
    "A21": (
        "a",
        "The Aguas Claras treatment plant, opened in 2018, treats most of the valley's "
        "wastewater, and the Medellín River has visibly improved.",
    ),
}

MONTREAL_UEA: dict[str, tuple[str, str]] = {
    "A1": (
        "a",
        "Hydro-Québec supplies electricity that is almost entirely hydroelectric, far above 10 % "
        "of peak load.",
    ),
    "A2": (
        "i",
        "The by-law on greenhouse gas disclosure for large buildings will drive efficiency, but "
        "the fall in peak load is not yet measured.",
    ),
    "A3": (
        "a",
        "The Climate Plan 2020-2030 commits the city to cutting emissions by 55 % below 1990 by "
        "2030 and to carbon neutrality by 2050, with a yearly emissions inventory.",
    ),
    "A4": (
        "a",
        "The Master Plan for Residual Materials 2020-2025 commits the city to zero waste by 2030.",
    ),
    "A5": (
        "a",
        "Montreal has banned thin plastic shopping bags and, more recently, a list of "
        "single-use plastic items in food service.",
    ),
    "A6": (
        "i",
        "Brown-bin food waste collection now reaches most households, but waste disposed per "
        "person has not yet fallen by the required amount.",
    ),
    "A7": (
        "a",
        "New municipal buildings must reach LEED Gold or an equivalent rating under the city's "
        "sustainable building policy.",
    ),
    "A8": (
        "a",
        "The urban plan favours dense, mixed neighbourhoods around metro and REM stations, with "
        "walking and cycling links.",
    ),
    "A9": (
        "i",
        "Greening programmes create some local jobs, but none is targeted at low-income "
        "neighbourhoods.",
    ),
    "A10": (
        "a",
        "Most residents live within 500 m of a park, and the Grand parc de l'Ouest adds some "
        "3,000 ha of protected green space.",
    ),
    "A11": (
        "a",
        "The canopy plan, based on the city's tree inventory, aims to plant 500,000 trees by "
        "2030 where canopy and income are lowest.",
    ),
    "A12": (
        "a",
        "The protection of the ecoterritories and their corridors is written into the urban "
        "plan and its by-laws.",
    ),
    "A13": (
        "a",
        "The STM bus and metro network puts public transport within 500 m of almost every "
        "resident.",
    ),
    "A14": (
        "i",
        "The STM is moving to electric buses, but fleet emissions have not yet been halved.",
    ),
    "A15": (
        "i",
        "BIXI and the Express Bike Network are growing fast, but solo car commuting has not "
        "yet fallen by 10 %.",
    ),
    "A16": (
        "a",
        "The city has banned glyphosate and neonicotinoid pesticides on its territory and "
        "reviews the products its services use.",
    ),
    "A17": (
        "i",
        "Urban agriculture and local food purchasing are growing, but 20 % of city facilities "
        "is not yet reached.",
    ),
    "A18": (
        "a",
        "The air-quality monitoring network publishes a daily index, and days of poor air have "
        "fallen since the baseline.",
    ),
    "A19": (
        "a",
        "Everyone has safe drinking water; water meters in non-residential buildings and leak "
        "repairs have cut consumption.",
    ),
    "A20": (
        "i",
        "The St. Lawrence and the Rivière des Prairies are shared with other authorities, so "
        "the city cannot protect its sources alone.",
    ),
    "A21": (
        "i",
        "Ozone disinfection at the Jean-R.-Marcotte plant is being built, and overflows after "
        "heavy storms continue.",
    ),
}

BARCELONA_CLIMATE_PLAN = Document(
    "A3",
    "barcelona-climate-plan-summary.pdf",
    "Barcelona Climate Plan 2018-2030: summary",
    (
        "The Climate Plan sets out how Barcelona will cut its emissions, adapt to heat, drought "
        "and heavy rain, and do so fairly. It was drawn up with more than 900 organisations and "
        "residents.",
        "Emissions are accounted for every year by the Barcelona Energy Agency, using the same "
        "method as the European Covenant of Mayors, and the results are published.",
    ),
)

DEMOS += [
    Demo(
        subject="barcelona",
        standard="uea@2005",
        facts="barcelona-axes",
        title="Urban Environmental Accords, 2025 review",
        answers=BARCELONA_UEA_EARLIER,
        evidence=(BARCELONA_CLIMATE_PLAN,),
        submit=True,
        days_ago=365,
    ),
    Demo(
        subject="barcelona",
        standard="uea@2005",
        facts="barcelona-axes",
        title="Urban Environmental Accords, 2026 review",
        answers=BARCELONA_UEA,
        revised=("A4", "A9"),
        evidence=(
            # The same file as last year: stored once, found by its hash.
            BARCELONA_CLIMATE_PLAN,
            Sheet(
                "A18",
                "barcelona-no2-days.csv",
                "Days above the nitrogen dioxide limit by station, 2017-2025",
                ("station", "year", "days_above_limit"),
                _air_days(("Eixample", "Gràcia", "Poblenou", "Sants", "Palau Reial"), 38),
                seed=8,
            ),
            Link("A11", "https://www.barcelona.cat", "Ajuntament de Barcelona"),
        ),
        submit=True,
    ),
    Demo(
        subject="medellin",
        standard="uea@2005",
        facts="medellin-corridors",
        answers=MEDELLIN_UEA,
        evidence=(
            Sheet(
                "A18",
                "medellin-unhealthy-air-days.csv",
                "Days with unhealthy air by station, 2017-2025",
                ("station", "year", "unhealthy_days"),
                _air_days(("Museo de Antioquia", "Universidad Nacional", "Itagüí", "Bello"), 44),
                seed=5,
            ),
            Link("A13", "https://www.medellin.gov.co", "Alcaldía de Medellín"),
        ),
        submit=True,
    ),
    Demo(
        subject="montreal",
        standard="uea@2005",
        facts="montreal-alleys",
        answers=MONTREAL_UEA,
        evidence=(
            Chart(
                "A11",
                "montreal-trees-planted.png",
                "Trees planted by the city and its partners (thousands)",
                ("2020", "2021", "2022", "2023", "2024", "2025"),
                (38, 45, 52, 58, 61, 64),
                "thousands",
            ),
            Link("A3", "https://montreal.ca", "Ville de Montréal"),
        ),
    ),
    Demo(
        subject="nairobi-np",
        standard="iucn-green-list@1.1",
        facts="nairobi-np",
        ratings="mpp mmp ppp  mmm pmm mpm ppp  mpmp mmp ppm ppp mmm mmp mpm  pmx mp mm",
        notes={
            "4.1.3": "Poaching is low, but fencing and housing keep spreading over the southern "
            "dispersal area, so the main threat to the park's wildlife has not been reduced.",
        },
        evidence=(
            Sheet(
                "3.7.1",
                "nairobi-np-wildlife-counts.csv",
                "Wet-season counts of large herbivores, 2021-2025",
                ("species", "year", "season", "count"),
                _wildlife_counts,
                seed=1946,
            ),
            Document(
                "3.1.1",
                "nairobi-np-management-plan-summary.pdf",
                "Nairobi National Park Management Plan 2020-2030: summary",
                (
                    "The plan divides the park into zones for high-use tourism, low-use "
                    "wilderness and the rhino sanctuary, and sets out programmes for ecological "
                    "management, tourism, community partnership and security.",
                    "Keeping the southern dispersal area open is a stated objective, to be "
                    "pursued with Kajiado County, landowners and conservation partners.",
                ),
            ),
            Link("1.2.1", "https://www.kws.go.ke", "Kenya Wildlife Service"),
        ),
        submit=True,
    ),
    Demo(
        subject="table-mountain-np",
        standard="iucn-green-list@1.1",
        facts="table-mountain",
        title="Table Mountain, Green List readiness check (secretariat pilot)",
        ratings="mmp mmp pmm  mmm pmm mmm ppm  .... ... ... ... ... ... ...  ... .. ..",
        evidence=(Link("1.2.1", "https://www.sanparks.org", "South African National Parks"),),
    ),
]
