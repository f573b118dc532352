"""The admin for posts, its Markdown editor's endpoints, and serving uploaded images."""

import json
import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from posts.markdown import link_headings, render
from posts.models import Post
from tests.conftest import ARTICLE_TITLE, edit_in_admin, image_bytes, make_post
from tests.html import parse

pytestmark = pytest.mark.django_db

IMAGE_CODE = re.compile(r"^!\[\]\((/media/posts/images/[0-9a-f-]{36}\.(png|gif|jpg|webp))\)$")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True)
def empty_storage(settings):
    """A new, empty in-memory storage for each test (re-setting STORAGES resets it)."""
    settings.STORAGES = {**settings.STORAGES}
    return default_storage


def stored_files():
    try:
        return default_storage.listdir("posts/images")[1]
    except FileNotFoundError:
        return []


# Admin


def test_the_post_list_in_admin_shows_posts_with_filters(editor_client, the_article):
    response = editor_client.get(reverse("admin:posts_post_changelist"))
    assert response.status_code == 200
    page = parse(response)
    assert [cell.text for cell in page.find_all("th", class_="field-title")] == [ARTICLE_TITLE]
    filters = page.find(id="changelist-filter").text
    for title in ("By status", "By categories", "By allow comments"):
        assert title in filters


def test_admin_search_finds_posts_by_their_text(editor_client, the_article):
    found = parse(editor_client.get(reverse("admin:posts_post_changelist"), {"q": "framework"}))
    assert [cell.text for cell in found.find_all("th", class_="field-title")] == [ARTICLE_TITLE]
    missed = parse(
        editor_client.get(reverse("admin:posts_post_changelist"), {"q": "no-such-words-anywhere"})
    )
    assert missed.find_all("th", class_="field-title") == []


def test_admin_filters_narrow_the_list(editor_client, the_article):
    drafts = parse(
        editor_client.get(reverse("admin:posts_post_changelist"), {"status__exact": "draft"})
    )
    assert drafts.find_all("th", class_="field-title") == []
    published = parse(
        editor_client.get(reverse("admin:posts_post_changelist"), {"status__exact": "published"})
    )
    assert len(published.find_all("th", class_="field-title")) == 1


def assert_markdown_editor(response):
    assert response.status_code == 200
    body = parse(response).find("textarea", name="body")
    assert "markdownx-editor" in body["class"].split()
    assert body["data-markdownx-urls-path"] == reverse("editor_markdownify")
    assert body["data-markdownx-upload-urls-path"] == reverse("editor_upload")
    return body


def test_the_add_post_page_has_the_markdown_editor(editor_client):
    assert_markdown_editor(editor_client.get(reverse("admin:posts_post_add")))


def test_the_change_post_page_has_the_markdown_editor_with_the_body(editor_client, the_article):
    body = assert_markdown_editor(
        editor_client.get(reverse("admin:posts_post_change", args=[the_article.pk]))
    )
    assert "Learn a framework well" in body.text


def test_view_on_site_goes_to_the_permalink(editor_client, the_article):
    page = parse(editor_client.get(reverse("admin:posts_post_change", args=[the_article.pk])))
    link = page.find("a", class_="viewsitelink")
    response = editor_client.get(link["href"])
    assert response.status_code == 302
    assert response["Location"].endswith("/dl_advice/")


def test_admin_is_closed_to_readers(client, a_reader):
    client.force_login(a_reader)
    response = client.get(reverse("admin:posts_post_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def admin_form(**overrides):
    data = {
        "title": "Written in admin",
        "slug": "written-in-admin",
        "permalink": "written-in-admin",
        "description": "",
        "body": '## <input type="checkbox"> Do it\n',
        "status": "published",
        "published_at_0": "2024-01-02",
        "published_at_1": "10:00:00",
        "allow_comments": "on",
    }
    data.update(overrides)
    return data


def test_a_post_added_in_admin_gets_a_normalised_permalink(editor_client):
    response = editor_client.post(reverse("admin:posts_post_add"), admin_form())
    assert response.status_code == 302, parse(response).find_all(class_="errorlist")
    post = Post.objects.get()
    assert post.permalink == "/written-in-admin/"
    assert post.checklist_headings[0]["id"] == "do-it"


def test_admin_refuses_a_permalink_the_site_uses(editor_client):
    response = editor_client.post(
        reverse("admin:posts_post_add"), admin_form(permalink=reverse("admin:index"))
    )
    assert response.status_code == 200
    assert "is used by the site itself" in parse(response).find(class_="errorlist").text
    assert Post.objects.count() == 0


def test_admin_refuses_a_permalink_another_post_has(editor_client, a_post):
    response = editor_client.post(
        reverse("admin:posts_post_add"), admin_form(permalink="a-test-post")
    )
    assert response.status_code == 200
    assert "already exists" in parse(response).find(class_="errorlist").text
    assert Post.objects.count() == 1


def test_the_body_help_prints_the_checkbox_syntax_and_names_what_is_supported(editor_client):
    """Issue 22: admin prints help text as HTML, so the syntax was a live, unlabelled box."""
    page = parse(editor_client.get(reverse("admin:posts_post_add")))
    help_text = page.find(id="id_body_helptext")
    assert help_text.find_all("input") == []
    assert '## <input type="checkbox"> Text' in [code.text for code in help_text.find_all("code")]
    for supported in ("tables", "footnotes", "kramdown attribute lists", "“Use math” is ticked"):
        assert supported in help_text.text


def test_the_form_has_one_address_field_the_permalink(editor_client):
    page = parse(editor_client.get(reverse("admin:posts_post_add")))
    assert page.find("input", name="permalink") is not None
    assert page.find_all("input", name="slug") == []


def test_an_empty_permalink_is_made_from_the_title(editor_client):
    form = admin_form(title="Your first 90 days", permalink="")
    response = editor_client.post(reverse("admin:posts_post_add"), form)
    assert response.status_code == 302, parse(response).find_all(class_="errorlist")
    post = Post.objects.get()
    assert (post.permalink, post.slug) == ("/your-first-90-days/", "your-first-90-days")


def test_a_title_without_a_usable_letter_needs_a_permalink(editor_client):
    response = editor_client.post(
        reverse("admin:posts_post_add"), admin_form(title="Привет", permalink="")
    )
    assert response.status_code == 200
    assert "its title has no letter or digit" in parse(response).find(class_="errorlist").text
    assert Post.objects.count() == 0


def test_the_slug_is_derived_from_the_permalink_and_kept_unique(editor_client, a_post):
    a_post.slug = "guides-start"
    a_post.save()
    response = editor_client.post(
        reverse("admin:posts_post_add"), admin_form(permalink="/guides/start/")
    )
    assert response.status_code == 302
    assert Post.objects.get(permalink="/guides/start/").slug == "guides-start-2"


def test_editing_a_post_keeps_its_slug(editor_client, a_post):
    edit_in_admin(editor_client, a_post, permalink="/moved/")
    assert (a_post.permalink, a_post.slug) == ("/moved/", "a-test-post")


@pytest.fixture
def a_post_for_2127(settings):
    settings.TIME_ZONE = "Europe/Paris"
    return make_post(published_at=datetime(2127, 1, 15, 8, 0, tzinfo=UTC))


def test_the_post_list_says_when_a_post_is_scheduled(editor_client, a_post_for_2127, a_draft):
    page = parse(editor_client.get(reverse("admin:posts_post_changelist")))
    states = {
        row.find("th", class_="field-title").text: row.find("td", class_="field-state").text
        for row in page.find(id="result_list").find_all("tr")[1:]
    }
    assert states == {
        "A test post": "Scheduled for 15 January 2127, 09:00",
        "A draft": "Draft",
    }


def test_the_change_page_says_when_a_post_is_scheduled(editor_client, a_post_for_2127):
    page = parse(editor_client.get(reverse("admin:posts_post_change", args=[a_post_for_2127.pk])))
    state = page.find(class_="field-state")
    assert state.find("label").text == "On the site:"
    assert state.find(class_="readonly").text == "Scheduled for 15 January 2127, 09:00"


def test_a_published_post_is_published_in_the_list(editor_client, a_post):
    page = parse(editor_client.get(reverse("admin:posts_post_changelist")))
    assert page.find("td", class_="field-state").text == "Published"


# The editor's live preview


@pytest.mark.parametrize("endpoint", [reverse("editor_markdownify"), reverse("editor_upload")])
def test_the_editor_endpoints_are_forbidden_to_visitors(client, endpoint):
    assert client.post(endpoint, {"content": "x"}).status_code == 403


@pytest.mark.parametrize("endpoint", [reverse("editor_markdownify"), reverse("editor_upload")])
def test_the_editor_endpoints_are_forbidden_to_readers(reader_client, endpoint):
    assert reader_client.post(endpoint, {"content": "x"}).status_code == 403


@pytest.mark.parametrize("endpoint", [reverse("editor_markdownify"), reverse("editor_upload")])
def test_the_editor_endpoints_only_accept_post(editor_client, endpoint):
    response = editor_client.get(endpoint)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_the_editor_endpoints_need_the_csrf_token(an_editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(an_editor)
    assert client.post(reverse("editor_markdownify"), {"content": "x"}).status_code == 403


def test_the_preview_is_the_pages_body_with_heading_links(client, a_staff_member):
    client.force_login(a_staff_member)
    content = '## <input type="checkbox"> Step one\n\nSee <a href="/" target=_blank>.'
    response = client.post(reverse("editor_markdownify"), {"content": content})
    assert response.status_code == 200
    rendered = render(content)
    headings = [{"id": heading.id, "text": heading.text} for heading in rendered.headings]
    assert response.content.decode() == link_headings(rendered.html, headings)
    preview = parse(response)
    assert preview.find("h2", class_="checklist-heading").text == "Step one"
    assert preview.find("a", class_="heading-link").text == "#Link to this section: Step one"
    assert preview.find("a", target="_blank")["rel"] == "noopener noreferrer"


def test_the_preview_shows_math_only_when_use_math_is_ticked(editor_client):
    """As the page does (issue 22): the preview used to render math whatever the box said."""
    content = "Square $x^2$ twice."
    plain = editor_client.post(reverse("editor_markdownify"), {"content": content})
    assert "<math" not in plain.content.decode()
    assert "$x^2$" in plain.content.decode()
    ticked = editor_client.post(
        reverse("editor_markdownify"), {"content": content, "use_math": "on"}
    )
    assert "<math" in ticked.content.decode()
    assert "$x^2$" not in ticked.content.decode()


def test_the_preview_refuses_a_dialect_posts_do_not_have(editor_client):
    response = editor_client.post(
        reverse("editor_markdownify"), {"content": "Text", "dialect": "no-such-dialect"}
    )
    assert response.status_code == 400
    assert b"Unknown dialect" in response.content


def test_the_preview_sizes_uploaded_images(editor_client):
    _, answer = upload(editor_client, image_bytes("PNG", size=(40, 30)), "a.png", "image/png")
    content = f"![A red box]({answer['url']})"
    preview = parse(editor_client.post(reverse("editor_markdownify"), {"content": content}))
    image = preview.find("img", alt="A red box")
    assert (image["width"], image["height"]) == ("40", "30")


def test_the_preview_of_empty_content_is_empty(editor_client):
    response = editor_client.post(reverse("editor_markdownify"), {"content": ""})
    assert (response.status_code, response.content) == (200, b"")


def test_the_preview_without_content_is_a_bad_request(editor_client):
    assert editor_client.post(reverse("editor_markdownify"), {}).status_code == 400


# Uploading images


def upload(client, content, name, content_type):
    response = client.post(
        reverse("editor_upload"),
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
    )
    return response, response.json()


def test_a_staff_member_uploads_a_png_and_gets_markdown_for_it(editor_client):
    response, answer = upload(editor_client, image_bytes("PNG"), "diagram.png", "image/png")
    assert response.status_code == 200
    match = IMAGE_CODE.match(answer["image_code"])
    assert match, answer
    url = match.group(1)
    assert url.endswith(".png")
    served = editor_client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    with Image.open(BytesIO(b"".join(served.streaming_content))) as image:
        assert image.format == "PNG"
        assert image.size == (4, 3)


def test_an_uploaded_image_is_served_to_everyone_and_cached(editor_client, client):
    _, answer = upload(editor_client, image_bytes("JPEG"), "photo.jpg", "image/jpeg")
    url = IMAGE_CODE.match(answer["image_code"]).group(1)
    served = Client().get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "immutable" in served["Cache-Control"]
    assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("image_format", "extension", "content_type"),
    [("GIF", "gif", "image/gif"), ("PNG", "png", "image/png"), ("WEBP", "webp", "image/webp")],
)
def test_an_image_named_like_a_web_page_is_stored_as_an_image(
    editor_client, image_format, extension, content_type
):
    response, answer = upload(editor_client, image_bytes(image_format), "evil.html", content_type)
    assert response.status_code == 200
    url = IMAGE_CODE.match(answer["image_code"]).group(1)
    assert url.endswith(f".{extension}")
    assert [name.rsplit(".", 1)[1] for name in stored_files()] == [extension]
    assert editor_client.get(url)["Content-Type"] == content_type


def test_an_image_sent_as_a_web_page_is_refused(editor_client):
    response, answer = upload(editor_client, image_bytes("PNG"), "evil.html", "text/html")
    assert response.status_code == 400
    assert answer == {
        "__all__": ["Files of type text/html are not accepted; use a JPEG, PNG, GIF or WebP image."]
    }
    assert stored_files() == []


def test_an_upload_answers_in_markdownxs_shape_with_the_stored_size(editor_client):
    """markdownx's script reads image_code; the site's editor reads url, width and height,
    and writes the description itself."""
    response, answer = upload(
        editor_client, image_bytes("PNG", size=(40, 30)), "a.png", "image/png"
    )
    assert response.status_code == 200
    assert set(answer) == {"image_code", "url", "width", "height"}
    assert answer["image_code"] == f"![]({answer['url']})"
    assert (answer["width"], answer["height"]) == (40, 30)


def test_an_upload_reports_the_size_after_scaling_down(editor_client):
    _, answer = upload(editor_client, image_bytes("PNG", size=(3200, 100)), "w.png", "image/png")
    assert (answer["width"], answer["height"]) == (1600, 50)


def test_a_refusal_answers_with_markdownxs_form_errors(editor_client, settings):
    """{field: [messages]}: markdownx's own shape for a 400, each message for the editor."""
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 10
    response, answer = upload(editor_client, image_bytes("PNG"), "a.png", "image/png")
    assert response.status_code == 400
    assert list(answer) == ["__all__"]
    assert answer["__all__"] == [
        "Please keep file size under 10\xa0bytes. Current file size: 77\xa0bytes."
    ]
    missing = editor_client.post(reverse("editor_upload"), {})
    assert missing.json() == {
        "image": ["This field is required."],
        "__all__": ["No files have been uploaded."],
    }


def test_an_image_with_too_many_pixels_is_refused_with_its_size(editor_client, monkeypatch):
    monkeypatch.setattr("posts.editor_views.MAX_PIXELS", 100)
    response, answer = upload(
        editor_client, image_bytes("PNG", size=(20, 10)), "a.png", "image/png"
    )
    assert response.status_code == 400
    assert answer == {
        "__all__": ["The image is 20 × 10 pixels; at most 0 million pixels are accepted."]
    }


def test_a_text_file_named_png_is_refused(editor_client):
    response, answer = upload(editor_client, b"just some text\n", "fake.png", "image/png")
    assert response.status_code == 400
    assert "not an image" in json.dumps(answer)
    assert stored_files() == []


@pytest.mark.parametrize("content_type", ["image/svg+xml", "image/png"])
def test_an_svg_is_refused(editor_client, content_type):
    response, _ = upload(editor_client, SVG, "drawing.svg", content_type)
    assert response.status_code == 400
    assert stored_files() == []


def test_an_image_in_a_format_the_site_does_not_take_is_refused(editor_client):
    response, answer = upload(editor_client, image_bytes("BMP"), "old.png", "image/png")
    assert response.status_code == 400
    assert "BMP images are not accepted" in json.dumps(answer)
    assert stored_files() == []


def test_an_image_over_the_size_limit_is_refused(editor_client, settings):
    content = image_bytes("PNG", size=(64, 64))
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = len(content) - 1
    response, _ = upload(editor_client, content, "big.png", "image/png")
    assert response.status_code == 400
    assert stored_files() == []
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = len(content)
    response, _ = upload(editor_client, content, "big.png", "image/png")
    assert response.status_code == 200


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP"])
@pytest.mark.parametrize("kept", [0.3, 0.8])
def test_a_truncated_image_is_refused_not_a_server_error(editor_client, image_format, kept):
    """Issue 19: a truncated JPEG passed the check and failed while being stored (500)."""
    noise = Image.frombytes("RGB", (64, 64), bytes(range(256)) * 48)  # no run to compress
    buffer = BytesIO()
    noise.save(buffer, format=image_format)
    whole = buffer.getvalue()
    cut = whole[: int(len(whole) * kept)]
    response, answer = upload(editor_client, cut, "cut.img", "image/jpeg")
    assert response.status_code == 400
    assert "not an image" in json.dumps(answer)
    assert stored_files() == []


def test_an_upload_without_a_file_is_a_bad_request(editor_client):
    assert editor_client.post(reverse("editor_upload"), {}).status_code == 400


def test_a_large_image_is_scaled_down_to_the_editor_limit(editor_client, settings):
    _, answer = upload(editor_client, image_bytes("PNG", size=(3200, 100)), "wide.png", "image/png")
    served = editor_client.get(IMAGE_CODE.match(answer["image_code"]).group(1))
    with Image.open(BytesIO(b"".join(served.streaming_content))) as image:
        assert max(image.size) <= 1600


# Serving /media/


@pytest.mark.parametrize(
    "path",
    [
        "/media/posts/images/no-such-image.png",
        "/media/nothing",
        "/media/../settings.py",
        "/media/../advice_site/settings.py",
        "/media/posts/../../manage.py",
        "/media/%2e%2e/settings.py",
        "/media/..%2fsettings.py",
        "/media//etc/passwd",
        "/media/posts/images/",
    ],
)
def test_missing_files_and_paths_outside_media_are_not_found(client, path):
    upload_a_file = ContentFile(image_bytes("PNG"))
    default_storage.save("posts/images/real.png", upload_a_file)
    assert client.get(path).status_code == 404


def test_a_stored_file_that_is_not_a_raster_image_is_served_as_a_download(client):
    for name in ("posts/images/page.html", "posts/images/drawing.svg"):
        default_storage.save(name, ContentFile(b"<script>alert(1)</script>"))
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"


def test_media_files_cannot_be_posted_to(client):
    default_storage.save("posts/images/real.png", ContentFile(image_bytes("PNG")))
    assert client.post("/media/posts/images/real.png").status_code == 405
    assert client.head("/media/posts/images/real.png").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/..%2fsecret.txt", "/media/"],
)
def test_paths_outside_the_media_folder_on_disk_are_not_found(client, settings, tmp_path, path):
    (tmp_path / "secret.txt").write_text("password")
    (tmp_path / "media").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    response = client.get(path)
    assert response.status_code == 404
    assert b"password" not in response.content


def test_a_folder_on_disk_is_not_found(client, settings, tmp_path):
    (tmp_path / "posts" / "images").mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    assert client.get("/media/posts/images").status_code == 404
    assert client.get("/media/posts/images/").status_code == 404


def test_admin_drops_characters_xml_forbids_and_says_so(editor_client):
    response = editor_client.post(
        reverse("admin:posts_post_add"),
        admin_form(title="Page\x0cbreak", body="One\x0ctwo\x07three\n"),
        follow=True,
    )
    post = Post.objects.get()
    assert (post.title, post.body.strip()) == ("Page break", "One twothree")
    messages = [message.message for message in response.context["messages"]]
    assert (
        "The title had characters XML 1.0 forbids (U+000C): form feeds and other "
        "separators became spaces, the rest were dropped." in messages
    )
    assert any("The body had characters XML 1.0 forbids (U+0007, U+000C)" in m for m in messages)


def test_admin_warns_about_a_heading_id_it_cannot_use(editor_client):
    response = editor_client.post(
        reverse("admin:posts_post_add"), admin_form(body="## Tip {#a/b}\n"), follow=True
    )
    messages = [message.message for message in response.context["messages"]]
    assert any(m.startswith("Body: heading 'Tip': {#a/b} is not a usable id") for m in messages)
    assert "{#a/b}" not in Post.objects.get().body_html


def test_a_post_shows_where_it_was_imported_from(editor_client, the_article):
    page = parse(editor_client.get(reverse("admin:posts_post_change", args=[the_article.pk])))
    assert "dl_advice.md, last imported" in page.find(class_="field-import_source").text
