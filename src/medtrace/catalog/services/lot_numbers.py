"""Lot numbers: the rules (pattern and sequence reset) and handing out the next number.

A pattern is literal text with tokens: {SITE} the site code, {YYYY} {YY} {MM} {DD} the date,
{JJJ} the day of the year (Julian date, 001-366), {SEQ:n} the sequence zero-padded to n digits.
next_lot_number allocates under a row lock on the rule's counter for the period, so two
writers never get the same number and the numbers have no gaps (a rolled-back transaction
gives its number back).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.catalog.models import Item, LotNumberCounter, LotNumberRule, LotSequenceReset
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Organization, Site

TOKEN = re.compile(r"\{([^{}]*)\}")
SEQ = re.compile(r"^SEQ:(\d+)\Z")
MAX_SEQ_DIGITS = 9
DATE_TOKENS = {
    "YYYY": lambda day: f"{day.year:04d}",
    "YY": lambda day: f"{day.year % 100:02d}",
    "MM": lambda day: f"{day.month:02d}",
    "DD": lambda day: f"{day.day:02d}",
    "JJJ": lambda day: f"{day.timetuple().tm_yday:03d}",
}
PERIOD_FORMATS = {
    LotSequenceReset.DAY: "%Y%m%d",
    LotSequenceReset.MONTH: "%Y%m",
    LotSequenceReset.YEAR: "%Y",
}


@dataclass(frozen=True)
class ParsedPattern:
    pattern: str
    seq_digits: int

    @property
    def per_site(self) -> bool:
        return "{SITE}" in self.pattern


def _invalid(message):
    raise DomainError(ErrorCode.VALIDATION, message, fields={"pattern": [str(message)]})


def parse_pattern(pattern: str) -> ParsedPattern:
    """The pattern, checked: known tokens only and exactly one {SEQ:n} with 1 <= n <= 9."""
    if not pattern.strip():
        _invalid(_("A lot-number pattern cannot be empty."))
    if re.sub(TOKEN, "", pattern).count("{") or re.sub(TOKEN, "", pattern).count("}"):
        _invalid(_("The pattern has an unmatched brace."))
    digits = []
    for token in TOKEN.findall(pattern):
        if token == "SITE" or token in DATE_TOKENS:  # nosec B105 # a token name, not a password
            continue
        seq = SEQ.match(token)
        if seq:
            if not 1 <= int(seq.group(1)) <= MAX_SEQ_DIGITS:
                _invalid(
                    _("{%(token)s}: the sequence needs 1 to %(max)s digits.")
                    % {"token": token, "max": MAX_SEQ_DIGITS}
                )
            digits.append(int(seq.group(1)))
        elif token.startswith("SEQ"):
            _invalid(
                _("{%(token)s}: write the sequence as {SEQ:n}, e.g. {SEQ:4}.") % {"token": token}
            )
        else:
            _invalid(_("Unknown token {%(token)s} in the lot-number pattern.") % {"token": token})
    if len(digits) != 1:
        _invalid(_("The pattern needs exactly one sequence token {SEQ:n}."))
    return ParsedPattern(pattern=pattern, seq_digits=digits[0])


def render(parsed: ParsedPattern, *, site: Site, day: date, number: int) -> str:
    if number >= 10**parsed.seq_digits:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("The lot-number sequence of %(pattern)s is used up for this period.")
            % {"pattern": parsed.pattern},
        )

    def expand(match):
        token = match.group(1)
        if token == "SITE":  # nosec B105 # a token name, not a password
            return site.code
        if token in DATE_TOKENS:
            return DATE_TOKENS[token](day)
        return f"{number:0{parsed.seq_digits}d}"

    return TOKEN.sub(expand, parsed.pattern)


def period_key(parsed: ParsedPattern, reset: str, *, site: Site, day: date) -> str:
    period = day.strftime(PERIOD_FORMATS[reset]) if reset in PERIOD_FORMATS else ""
    return f"{site.code}:{period}" if parsed.per_site else period


def site_today(site: Site) -> date:
    return datetime.now(ZoneInfo(site.time_zone)).date()


def rule_for(item: Item) -> LotNumberRule:
    """The item's own rule, else its organization's default."""
    rule = (
        LotNumberRule.objects.filter(organization_id=item.organization_id, item=item).first()
        or LotNumberRule.objects.filter(
            organization_id=item.organization_id, item__isnull=True
        ).first()
    )
    if rule is None:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Item %(code)s has no lot-number rule, and there is no default rule.")
            % {"code": item.code},
        )
    return rule


def next_lot_number(*, item: Item, site: Site, today: date | None = None) -> str:
    """Allocate the next lot number of `item` at `site` (in the caller's transaction, if any)."""
    if site.organization_id != item.organization_id:
        raise DomainError(
            ErrorCode.SITE_NOT_ALLOWED, _("The site belongs to another organization.")
        )
    rule = rule_for(item)
    parsed = parse_pattern(rule.pattern)
    day = today or site_today(site)
    key = period_key(parsed, rule.reset, site=site, day=day)
    with transaction.atomic():
        counter, _created = LotNumberCounter.objects.get_or_create(
            rule=rule, period_key=key, defaults={"organization_id": rule.organization_id}
        )
        counter = LotNumberCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last_number += 1
        lot = render(parsed, site=site, day=day, number=counter.last_number)
        counter.save(update_fields=["last_number"])
    return lot


def preview_pattern(pattern: str, reset: str, *, site: Site, day: date, start: int = 1, count=3):
    parsed = parse_pattern(pattern)
    return [render(parsed, site=site, day=day, number=start + n) for n in range(count)]


def preview_lot_numbers(rule: LotNumberRule, site: Site, today: date, count: int = 3) -> list[str]:
    """The next `count` numbers the rule would give at `site` on `today`; consumes none."""
    parsed = parse_pattern(rule.pattern)
    key = period_key(parsed, rule.reset, site=site, day=today)
    last = (
        LotNumberCounter.objects.filter(rule=rule, period_key=key)
        .values_list("last_number", flat=True)
        .first()
        or 0
    )
    return preview_pattern(
        rule.pattern, rule.reset, site=site, day=today, start=last + 1, count=count
    )


def _duplicate(item: Item | None):
    message = (
        _("Item %(code)s already has a lot-number rule.") % {"code": item.code}
        if item
        else _("The organization already has a default lot-number rule.")
    )
    raise DomainError(ErrorCode.DUPLICATE, message, fields={"item": [str(message)]})


@transaction.atomic
def create_lot_rule(
    *,
    organization: Organization,
    pattern: str,
    reset: str = LotSequenceReset.YEAR,
    item: Item | None = None,
    by=None,
) -> LotNumberRule:
    if item is not None and item.organization_id != organization.pk:
        raise DomainError(ErrorCode.VALIDATION, _("The item belongs to another organization."))
    pattern = pattern.strip()
    parse_pattern(pattern)
    if reset not in LotSequenceReset.values:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown sequence reset %(reset)s.") % {"reset": reset}
        )
    if LotNumberRule.objects.filter(organization=organization, item=item).exists():
        _duplicate(item)
    rule = LotNumberRule(organization=organization, item=item, pattern=pattern, reset=reset)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        _duplicate(item)
    audit.record(
        AuditAction.CREATE,
        rule,
        by=by,
        changes=audit.created(rule),
        organization_id=organization.pk,
    )
    return rule


@transaction.atomic
def update_lot_rule(*, rule: LotNumberRule, by=None, reason: str = "", **changes) -> LotNumberRule:
    """Change a rule's pattern or reset; the numbers already given stay as they were."""
    unknown = set(changes) - {"pattern", "reset"}
    if unknown:
        raise TypeError(f"not changeable here: {', '.join(sorted(unknown))}")
    rule = LotNumberRule.objects.select_for_update().get(pk=rule.pk)
    before = audit.snapshot(rule)
    if "pattern" in changes:
        changes["pattern"] = changes["pattern"].strip()
        parse_pattern(changes["pattern"])
    if changes.get("reset", rule.reset) not in LotSequenceReset.values:
        raise DomainError(ErrorCode.VALIDATION, _("Unknown sequence reset."))
    for field, value in changes.items():
        setattr(rule, field, value)
    rule.save(update_fields=list(changes))
    diff = audit.diff(before, rule)
    if diff:
        audit.record(
            AuditAction.CHANGE,
            rule,
            by=by,
            changes=diff,
            reason=reason,
            organization_id=rule.organization_id,
        )
    return rule
