from django import template

register = template.Library()


@register.filter
def editable_by(comment, user):
    """Whether the reader may still edit this comment (its author, within the window)."""
    return comment.is_editable_by(user)
