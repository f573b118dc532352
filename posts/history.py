"""Posts' revision history (django-reversion), and restoring a revision.

Every Post.save() is a revision (see Post.save): one made in admin names the editor,
one made by the importer names the file. Restoring never writes a row the way
reversion's own revert does (raw, past Post.save()): it sets the post's fields and
saves it like any edit, so the HTML is rendered, the checklist items follow the
headings and readers' ticks stay on their items.
"""

import reversion
from django.db import transaction
from django.utils import formats, timezone
from reversion.models import Version

from .models import Category, Post

# What a revision holds of a post and a restore puts back (see DERIVED_FIELDS).
RESTORED_FIELDS = (
    "title",
    "slug",
    "permalink",
    "description",
    "body",
    "status",
    "published_at",
    "publication_date",
    "allow_comments",
    "use_math",
)


def versions_of(post):
    """The post's revisions (reversion Versions), newest first, with who made each."""
    return (
        Version.objects.get_for_object(post)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def describe(version):
    """ "27 November 2026, 10:03": when a revision was made, in the site's time zone."""
    return formats.date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")


@transaction.atomic
def restore_version(*, version, user):
    """Make the post what ``version`` (a Version of a Post) recorded; return the post.

    The restore is itself a revision, made by ``user`` (a User or None). Categories
    deleted since are left out. Raises django.core.exceptions.ValidationError when
    the revision's values no longer fit (its permalink now belongs to another post),
    and reversion.errors.RevertError when the revision cannot be read; nothing is
    written then.
    """
    post = Post.objects.select_for_update().get(pk=version.object_id)
    data = version.field_dict
    for name in RESTORED_FIELDS:
        if name in data:
            setattr(post, name, data[name])
    post.full_clean()
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version of {describe(version)}")
        post.save()
        post.categories.set(Category.objects.filter(pk__in=data.get("categories", [])))
    return post
