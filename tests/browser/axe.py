"""axe-core, run inside a Playwright page, and its violations described for a person."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, skip links...).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# The rules whose outcome depends on colours, so on the colour scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map(String),
      summary: node.failureSummary || "",
    })),
  }));
}"""


def run_axe(page, script, *, tags=WCAG_TAGS, rules=None):
    """Inject axe-core's source into the page and return its violations.

    `rules` (axe rule ids) narrows the run to those rules instead of `tags`.
    The page's context must bypass CSP: the injected <script> is inline.
    """
    # Colours that are still moving (Django admin's links fade between colours over
    # 0.15 s after a colour scheme change) would be measured mid-way: let every running
    # transition and animation end first (an endless one is not waited for).
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
            .map(a => a.finished.catch(() => null)))"""
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    if rules:
        run_only = {"type": "rule", "values": list(rules)}
    else:
        run_only = {"type": "tag", "values": list(tags)}
    return page.evaluate(RUN_AXE, {"runOnly": run_only, "resultTypes": ["violations"]})


def describe_violations(violations, where=""):
    """One readable block per violation: id, impact, help, link and each failing node."""
    if not violations:
        return "no axe-core violations"
    lines = [f"{len(violations)} axe-core violation(s){f' on {where}' if where else ''}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}")
            for detail in node["summary"].splitlines():
                if detail.strip():
                    lines.append(f"      {detail.strip()}")
    return "\n".join(lines)
