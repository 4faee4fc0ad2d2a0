r"""Word the Guardian's findings as sentences a person can act on.

A field issue reads: who refused what, how often, what was expected and what was sent, then what to
change in the mapping: "Orbit CRM API rejected phone_numbers[].number in 48 of 50 writes: it must match
^\+[1-9]\d{1,14}$ (E.164), sent '+1 (415) 555-0100'; add a parse transform (as phone_e164) from phone."
"""

from __future__ import annotations

from vitesse.schemas import FieldIssue, IssueKind

__all__ = ["ALLOW_SETTINGS", "below_pass_sentence", "call_problem_sentence", "issue_sentence", "slow_sentence"]


def issue_sentence(
    issue: FieldIssue, dest_name: str, total: int, *, refused: bool, remote: bool, unit: str = "writes"
) -> str:
    """Return the sentence for one field issue (see the module docstring for its shape)."""
    detail = _detail(issue).rstrip(" .")
    return f"{_who(issue, dest_name, f'{issue.count} of {total} {unit}', refused, remote)}: {detail}; {_advice(issue)}."


def _who(issue: FieldIssue, dest_name: str, share: str, refused: bool, remote: bool) -> str:
    if issue.kind is IssueKind.TRANSFORM_FAILED:
        return f"The transform for {issue.dest_field} failed in {share.replace('writes', 'records')}"
    if refused and remote:
        return f"{dest_name} rejected {issue.dest_field} in {share}"
    if refused:
        return f"{issue.dest_field} breaks {dest_name}'s request schema in {share}"
    return f"{issue.dest_field} breaks {dest_name}'s request schema in {share}, though it accepted them"


def _sent(issue: FieldIssue) -> str:
    return f", sent {issue.observed}" if issue.observed and issue.observed != "missing" else ""


def _detail(issue: FieldIssue) -> str:
    kind, expected = issue.kind, issue.expected
    if kind is IssueKind.TRANSFORM_FAILED:
        return issue.message + (f" (value {issue.observed})" if issue.observed else "")
    if kind is IssueKind.MISSING_REQUIRED:
        return "it is required but the payload did not have it"
    if kind is IssueKind.UNKNOWN_FIELD:
        return "the destination does not accept this field"
    if expected is None:
        return issue.message + _sent(issue)
    if kind is IssueKind.ENUM:
        return f"{issue.observed or 'the value'} is not {expected}"
    if kind is IssueKind.TYPE_MISMATCH:
        return f"it must be {_article(expected)} {expected}{_sent(issue)}"
    if expected.startswith("must "):
        return f"it {expected}{_sent(issue)}"
    return f"it must be {expected}{_sent(issue)}"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _sources(issue: FieldIssue) -> str:
    return ", ".join(issue.source_fields) if issue.source_fields else "a source field"


def _advice(issue: FieldIssue) -> str:
    src = _sources(issue)
    text = f"{issue.expected or ''} {issue.message}".lower()
    kind = issue.kind
    if kind in (IssueKind.PATTERN, IssueKind.FORMAT):
        if "e.164" in text or "e164" in text or "phone" in text:
            return f"add a parse transform (as phone_e164) from {src}"
        if "date" in text or "time" in text:
            return f"add a format transform from {src} to the date form the destination expects"
        return f"add a format or parse transform from {src} that produces this form"
    if kind is IssueKind.ENUM:
        allowed = ", ".join(map(str, issue.allowed_values or [])) or "the allowed values"
        return f"add an enum transform from {src} that maps its values onto {allowed}"
    if kind is IssueKind.MISSING_REQUIRED:
        if issue.source_fields:
            return f"{src} had no value in those records: add a default or map another source field as well"
        return "map a source field to it, or give it a constant or default"
    if kind is IssueKind.TYPE_MISMATCH:
        if issue.dest_field.rsplit(".", 1)[-1].lower().endswith("id"):
            return f"it holds the destination's own ids: look them up instead of copying {src}, or leave it unmapped"
        return f"cast {src} to {issue.expected or 'the expected type'} or map a source field of that type"
    if kind is IssueKind.LENGTH:
        return f"shorten the values of {src} or map a shorter source field"
    if kind is IssueKind.RANGE:
        return f"convert {src} into the allowed range or map another source field"
    if kind is IssueKind.UNKNOWN_FIELD:
        return "remove it from the mapping"
    if kind is IssueKind.TRANSFORM_FAILED:
        return f"fix the transform's config or map another source field than {src}"
    return f"check the values the mapping sends from {src}"


ALLOW_SETTINGS = ("VITESSE_ALLOW_PRIVATE_NETWORKS", "VITESSE_ALLOW_LOOPBACK")
"""The settings (`vitesse.config.Settings`) that let `vitesse.net`'s SSRF guard reach private and loopback hosts."""
REACH_ADVICE = (
    "check the base URL, that its host resolves and is reachable from where Vitesse runs (DNS, VPN, proxy), and "
    "that no firewall or security group blocks the port; Vitesse calls a private or loopback address only when "
    f"{ALLOW_SETTINGS[0]}=true or {ALLOW_SETTINGS[1]}=true is set"
)
"""What to check when an API cannot be reached (refused connection, DNS failure, address refused by the guard)."""


def call_problem_sentence(category: str, api: str, endpoint: str, count: int, total: int, example: str | None) -> str:
    """Return the sentence for calls that failed for a reason other than a field (auth, 404, 5xx, network)."""
    share = f"{count} of {total} calls to {endpoint}"
    why = f" ({example})" if example else ""
    sentences = {
        "auth": f"{api} refused {share} as unauthorised (401/403){why}: check the credentials for this API",
        "not_found": f"{api} answered 404 to {share}{why}: check the endpoint path and the base URL",
        "server": f"{api} failed with a server error (5xx) in {share}{why}: retry later or report it to the API owner",
        "connectivity": f"Could not reach {api} in {share}{why}: {REACH_ADVICE}",
        "timeout": f"{api} did not answer in time in {share}{why}: raise the timeout, check the API's health, "
        "and that no firewall or security group silently drops the traffic",
        "rate_limit": f"{api} kept rate-limiting {share} even after waiting as Retry-After asked{why}",
        "schema": f"{api} refused {share}{why}",
    }
    return sentences.get(category, f"{api} failed {share}{why}") + "."


def slow_sentence(api: str, endpoint: str, p95_ms: float, limit_ms: float, calls: int) -> str:
    """Return the warning for an endpoint whose 95th-percentile response time is over the limit."""
    return (
        f"{endpoint} of {api} answered slowly: p95 latency {p95_ms / 1000:.2f} s over {calls} calls "
        f"(above {limit_ms / 1000:g} s): check the API's response times and rate limits, or sync in smaller batches."
    )


def below_pass_sentence(score: float, pass_score: float, heal_attempts: int) -> str:
    """Return the summary line of a proof that scored below the pass mark: the figures and what happens next."""
    heal = (
        f"the graph heals the mapping from these issues (up to {heal_attempts} attempts), then pauses"
        if heal_attempts
        else "the graph pauses"
    )
    return (
        f"Health score {score:.1f} is below the pass mark of {pass_score:g}: {heal} for a person to review "
        "(approve, edit the mapping, or abort)."
    )
