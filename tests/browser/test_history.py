"""The editor's way back (issue 10): a post's History page in admin and its Restore
control, found by accessible names as an editor (or a screen reader) finds them."""

from django.urls import reverse
from playwright.sync_api import expect

from checklists.models import ChecklistItem, Tick
from checklists.progress import set_tick
from posts.models import Post
from tests.conftest import make_user

BROKEN = "The editor pasted over the whole article."


def test_an_editor_restores_the_article_from_its_history_and_ticks_stay(page, the_article, log_in):
    editor = make_user(email="editor@example.com", is_staff=True, is_superuser=True)
    reader = make_user(email="reader@example.com")
    item = ChecklistItem.objects.get(post=the_article, anchor="learn-a-framework-well")
    set_tick(user=reader, item=item, done=True)
    log_in(page, editor)

    page.goto(reverse("admin:posts_post_change", args=[the_article.pk]))
    body = page.get_by_label("Body:")
    body.fill(BROKEN)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.get_by_role("link", name="History").click()
    versions = page.get_by_role("table", name="Versions of")
    expect(versions.get_by_role("row")).to_have_count(3)  # header, edit, import
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Current version")
    restore = page.get_by_role("link", name="Restore the version of")
    expect(restore).to_have_count(1)
    restore.click()
    expect(page.get_by_role("heading", name="Restore the version of")).to_be_visible()
    page.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_text("Restored the version of")).to_be_visible()

    the_article.refresh_from_db()
    assert BROKEN not in the_article.body
    assert Post.objects.get().checklist_headings[4]["id"] == "learn-a-framework-well"
    assert Tick.objects.get(user=reader).item == item

    log_in(page, reader)
    page.goto("/dl_advice/")
    expect(page.get_by_role("checkbox", name="Learn a framework well")).to_be_checked()
