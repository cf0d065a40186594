"""The reportability rules, declared once with their citations: which report each market needs
for which events, and its clock (quality.reportability matches them and counts the days)."""

from dataclasses import dataclass

from medtrace.quality.adverse_events import (
    _DEATH_OR_SERIOUS_INJURY,
    _EU_SERIOUS_INCIDENT,
    _SERIOUS_OR_COULD_BE,
    AdverseEvent,
    Clock,
    Outcome,
    Region,
    Report,
    Unit,
)

# --- The rules ----------------------------------------------------------------------------------

_FLAGS = (
    "remedial_action_needed",
    "fda_requested_five_day_reports",
    "expected_side_effect",
    "occurred_outside_china",
    "fsca_planned",
    "fsca_urgent",
)


@dataclass(frozen=True)
class When:
    """A rule's condition: the event has any of `outcomes` (none given: any event) and every flag
    that is not None has that value."""

    outcomes: frozenset[Outcome] = frozenset()
    remedial_action_needed: bool | None = None
    fda_requested_five_day_reports: bool | None = None
    expected_side_effect: bool | None = None
    occurred_outside_china: bool | None = None
    fsca_planned: bool | None = None
    fsca_urgent: bool | None = None

    def matches(self, event: AdverseEvent) -> bool:
        if self.outcomes and not self.outcomes & event.outcomes:
            return False
        return all(
            getattr(self, flag) is None or getattr(event, flag) == getattr(self, flag)
            for flag in _FLAGS
        )

    def __str__(self) -> str:
        parts = []
        if self.outcomes:
            parts.append(" or ".join(sorted(o.value for o in self.outcomes)))
        parts += [
            flag if wanted else f"not {flag}"
            for flag in _FLAGS
            if (wanted := getattr(self, flag)) is not None
        ]
        return "; ".join(parts) or "any event"


@dataclass(frozen=True)
class Rule:
    id: str
    region: Region
    report: Report
    when: When
    clock: Clock
    citation: str
    explanation: str
    amount: int | None = None
    unit: Unit | None = None
    roll_forward: bool = False  # EU: a last day off work moves to the next working day

    def __post_init__(self):
        counted = self.clock is Clock.AFTER_AWARENESS
        if counted != (self.amount is not None and self.unit is not None):
            raise ValueError(f"{self.id}: amount and unit go with, and only with, a counted clock")

    @property
    def reportable(self) -> bool:
        return self.clock is not Clock.NOT_REPORTABLE


_MEASURES = "《医疗器械不良事件监测和再评价管理办法》"
_NMPA_CLUSTER = When(outcomes=frozenset({Outcome.CLUSTER}), occurred_outside_china=False)

RULES: tuple[Rule, ...] = (
    # --- China. SAMR/NHC Order No. 1, in force 1 January 2019. Art. 25 and 27 checked against the
    # NMPA English text (english.nmpa.gov.cn/2019-12/16/c_432476_2.htm), Art. 18 against the
    # codex-sci bilingual text. The cluster duties (12 h alert, 24 h case reports, 7-day
    # investigation report) are checked against secondary quotations of the Chinese text; their
    # article numbers (31, 32) are recalled from the 2019 text, not seen in a source: verify.
    Rule(
        "NMPA-25-DEATH",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.DEATH}), occurred_outside_china=False),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十五条",
        "Death: investigate at once and report within 7 days of learning of it.",
        7,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-25-SERIOUS",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset(
                {
                    Outcome.SERIOUS_INJURY,
                    Outcome.UNANTICIPATED_SERIOUS_DETERIORATION,
                    Outcome.MALFUNCTION,
                }
            ),
            occurred_outside_china=False,
        ),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十五条",
        "Serious injury, or an event that could cause serious injury or death: report within "
        "20 days of learning of it.",
        20,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-27-ABROAD",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, occurred_outside_china=True),
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第二十七条",
        "Event abroad that caused or could cause serious injury or death, with a device also "
        "sold in China: report within 30 days of learning of it.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-31-CLUSTER-CASES",
        Region.NMPA,
        Report.INDIVIDUAL,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十一条",
        "Cluster: report each event of it as an individual case within 24 hours.",
        24,
        Unit.HOURS,
    ),
    Rule(
        "NMPA-31-CLUSTER-ALERT",
        Region.NMPA,
        Report.CLUSTER_ALERT,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十一条",
        "Cluster: within 12 hours, tell the drug regulator and the health authority of the "
        "province where it happened by phone or fax, and enter its basic facts in the national "
        "monitoring system.",
        12,
        Unit.HOURS,
    ),
    Rule(
        "NMPA-32-CLUSTER-INVESTIGATION",
        Region.NMPA,
        Report.CLUSTER_INVESTIGATION,
        _NMPA_CLUSTER,
        Clock.AFTER_AWARENESS,
        f"{_MEASURES}第三十二条",
        "Cluster: stop production and sales at once, tell users to stop using the device, "
        "investigate and self-inspect the quality system, and report within 7 days to the "
        "provincial regulators and monitoring centres of your site and of the event.",
        7,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "NMPA-18-NOT-REPORTABLE",
        Region.NMPA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        f"{_MEASURES}第十八条",
        "Neither caused nor could cause serious injury or death: not individually reportable "
        "(innovative devices in their first registration period report every event).",
    ),
    # --- United States. 21 CFR 803.50(a) and 803.53 checked against the eCFR text
    # (law.cornell.edu, lawstack.com) and the summary in 803.10(c); the work-day definition of
    # 803.3 as quoted in a public regulatory analysis.
    Rule(
        "FDA-803.53(a)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, remedial_action_needed=True),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.53(a)",
        "Reportable event needing remedial action to prevent an unreasonable risk of "
        "substantial harm to the public health: 5-day report within 5 work days after the day "
        "of awareness.",
        5,
        Unit.WORK_DAYS,
    ),
    Rule(
        "FDA-803.53(b)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_SERIOUS_OR_COULD_BE, fda_requested_five_day_reports=True),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.53(b)",
        "FDA asked in writing for 5-day reports of such events: report within 5 work days "
        "after the day of awareness.",
        5,
        Unit.WORK_DAYS,
    ),
    Rule(
        "FDA-803.50(a)(1)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=_DEATH_OR_SERIOUS_INJURY),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.50(a)(1)",
        "The device may have caused or contributed to a death or serious injury: MDR report "
        "within 30 calendar days after the day of awareness.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "FDA-803.50(a)(2)",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.MALFUNCTION})),
        Clock.AFTER_AWARENESS,
        "21 CFR 803.50(a)(2)",
        "Malfunction likely to cause or contribute to a death or serious injury if it recurred: "
        "MDR report within 30 calendar days after the day of awareness.",
        30,
        Unit.CALENDAR_DAYS,
    ),
    Rule(
        "FDA-803.50-NOT-REPORTABLE",
        Region.FDA,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        "21 CFR 803.50(a)",
        "No death or serious injury, and no malfunction likely to cause one if it recurred: no "
        "MDR report.",
    ),
    # --- European Union. MDR Art. 87 checked against its text (medicaldevicehq.com, tuvsud.com);
    # the counting and roll-forward against MDCG 2023-3 Rev.2 Q14 as quoted in a public
    # regulatory analysis, and Regulation 1182/71 Art. 3(4) (EUR-Lex quotations).
    Rule(
        "EU-87(4)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.SERIOUS_PUBLIC_HEALTH_THREAT}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(4)",
        "Serious public health threat: report immediately, not later than 2 days after awareness.",
        2,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(5)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.DEATH, Outcome.UNANTICIPATED_SERIOUS_DETERIORATION}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(5)",
        "Death or unanticipated serious deterioration in health: report as soon as a causal "
        "relationship is established or suspected, not later than 10 days after awareness.",
        10,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(3)",
        Region.EU,
        Report.INDIVIDUAL,
        When(
            outcomes=frozenset({Outcome.SERIOUS_INJURY, Outcome.MALFUNCTION}),
            expected_side_effect=False,
        ),
        Clock.AFTER_AWARENESS,
        "MDR Art. 87(3)",
        "Serious incident: report immediately once a causal relationship with the device is "
        "established or reasonably possible, not later than 15 days after awareness.",
        15,
        Unit.CALENDAR_DAYS,
        roll_forward=True,
    ),
    Rule(
        "EU-87(1)(a)-EXPECTED",
        Region.EU,
        Report.INDIVIDUAL,
        When(outcomes=_EU_SERIOUS_INCIDENT, expected_side_effect=True),
        Clock.NOT_REPORTABLE,
        "MDR Art. 87(1)(a)",
        "Expected side-effect, documented in the product information and quantified in the "
        "technical documentation: not reported one by one, but trended under Art. 88.",
    ),
    Rule(
        "EU-88-NOT-REPORTABLE",
        Region.EU,
        Report.INDIVIDUAL,
        When(outcomes=frozenset({Outcome.NON_SERIOUS})),
        Clock.NOT_REPORTABLE,
        "MDR Art. 88",
        "Not a serious incident: not reported one by one; count it for trend reporting, which "
        "is due on a statistically significant increase, with no date set by the regulation.",
    ),
    Rule(
        "EU-87(8)",
        Region.EU,
        Report.FSCA,
        When(fsca_planned=True),
        Clock.BEFORE_FSCA,
        "MDR Art. 87(1)(b), 87(8)",
        "Field safety corrective action: report it without undue delay and before it is "
        "undertaken.",
    ),
    Rule(
        "EU-87(8)-URGENT",
        Region.EU,
        Report.FSCA,
        When(fsca_urgent=True),
        Clock.WITHOUT_UNDUE_DELAY,
        "MDR Art. 87(8)",
        "Urgent field safety corrective action undertaken at once: report it without undue delay.",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
if len(RULES_BY_ID) != len(RULES):
    raise ValueError("Rule ids must be unique")
