"""A reader who comes back after the article changed is told what is new (issue 10)."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from checklists.models import ChecklistItem
from checklists.visits import record_visit

from .axe import describe_violations

ARTICLE_PATH = "/dl_advice/"
FRAMEWORK_HEADING = '## <input type="checkbox"> Learn a framework well'


def notice(page):
    return page.get_by_role("list", name=re.compile("new since your last visit"))


def test_a_returning_reader_sees_the_items_added_or_reworded_since_their_last_visit(
    page, new_page, the_article, a_reader, log_in, axe_violations
):
    # Their last visit was two hours ago; the items then were older still.
    two_hours_ago = timezone.now() - timedelta(hours=2)
    ChecklistItem.objects.update(revised_at=two_hours_ago - timedelta(days=1))
    record_visit(user=a_reader, post_id=the_article.pk, now=two_hours_ago)
    # Since then the editor reworded one heading and added another.
    the_article.body = the_article.body.replace(
        FRAMEWORK_HEADING, '## <input type="checkbox"> Learn one framework well'
    ) + ('\n\n## <input type="checkbox"> Teach what you learn\n\nWrite it down.\n')
    the_article.save()
    log_in(page, a_reader)

    page.goto(ARTICLE_PATH)

    expect(page.get_by_text(re.compile("^2 items new since your last visit"))).to_be_visible()
    expect(notice(page).get_by_role("link")).to_have_text(
        ["Learn one framework well", "Teach what you learn"]
    )
    marked = page.get_by_role("navigation", name="Table of contents").get_by_role("listitem")
    expect(marked.filter(has_text=re.compile(r"\bnew$"))).to_have_text(
        ["Learn one framework well new", "Teach what you learn new"]
    )
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, "the article with the notice")

    notice(page).get_by_role("link", name="Teach what you learn").click()
    expect(page).to_have_url(re.compile("#teach-what-you-learn$"))
    expect(page.get_by_role("heading", name="Teach what you learn", exact=True)).to_be_in_viewport()

    # A reload in the same hour keeps the notice; a visitor never gets one.
    page.reload()
    expect(notice(page)).to_be_visible()
    visitor = new_page()
    visitor.goto(ARTICLE_PATH)
    expect(visitor.get_by_role("heading", name="Teach what you learn")).to_be_visible()
    expect(visitor.get_by_text("new since your last visit")).to_have_count(0)


def test_a_first_visit_shows_no_notice(page, the_article, a_reader, log_in):
    log_in(page, a_reader)

    page.goto(ARTICLE_PATH)

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("new since your last visit")).to_have_count(0)
