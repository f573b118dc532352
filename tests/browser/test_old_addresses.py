"""A link shared before a post moved, tracking parameters and all, still opens the
article; one to a deleted article says it was removed (issue 18)."""

from playwright.sync_api import expect

from tests.conftest import make_post

from .axe import describe_violations


def test_a_shared_link_to_a_moved_post_opens_it_with_its_query_kept(page, axe_violations):
    post = make_post(title="Read a paper", slug="read-a-paper", permalink="/read-a-paper/")
    post.permalink = "/how-to-read-a-paper/"
    post.save()

    page.goto("/read-a-paper/?utm_source=twitter&utm_medium=social")

    expect(page).to_have_url("/how-to-read-a-paper/?utm_source=twitter&utm_medium=social")
    expect(page.get_by_role("heading", level=1)).to_have_text("Read a paper")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations, "the moved post")


def test_a_bookmark_of_a_deleted_posts_last_address_says_it_was_removed(page):
    post = make_post(title="Read a paper", slug="read-a-paper", permalink="/read-a-paper/")
    post.permalink = "/how-to-read-a-paper/"
    post.save()
    post.delete()

    for address in ("/how-to-read-a-paper/", "/read-a-paper/?utm_source=twitter"):
        response = page.goto(address)
        assert response.status == 410, address
        expect(page.get_by_role("heading", level=1)).to_have_text("Article removed")
        expect(page.get_by_role("link", name="See all articles")).to_be_visible()
