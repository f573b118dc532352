"""The admin Markdown editor's endpoints (markdownx's preview and image upload), which
static/js/editor.js calls.

markdownx's own views answer anyone; these answer staff only (403 otherwise),
refuse a request without content, and check an upload as an image by its bytes.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST
from markdownx.exceptions import MarkdownxImageUploadError
from markdownx.forms import ImageForm
from PIL import Image, UnidentifiedImageError

from . import markdown
from .images import image_size, with_image_sizes
from .models import Post

# PIL format names the site accepts; SVG is never accepted (it can carry script).
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a decompression bomb stops here rather than filling memory


def staff_only(view):
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("The editor is for staff only.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_POST
@staff_only
def markdownify(request):
    """Live preview (POST ``content``; ``use_math``, "on" when ticked; ``dialect`` when
    posts have one): the body's HTML exactly as the post's page shows it, with each
    heading's link, math only when "Use math" is ticked (issue 22), and uploaded
    images sized. 400 without ``content`` or with an unknown dialect."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("The preview needs a 'content' field.")
    options = {"math": request.POST.get("use_math", "") in {"on", "true", "1"}}
    dialect = request.POST.get("dialect")
    if dialect:
        choices = _dialects()
        if dialect not in choices:
            return HttpResponseBadRequest(f"Unknown dialect; one of: {', '.join(choices)}.")
        options["dialect"] = dialect
    rendered = markdown.render(content, **options)
    headings = [{"id": heading.id, "text": heading.text} for heading in rendered.headings]
    return HttpResponse(markdown.link_headings(with_image_sizes(rendered.html), headings))


def _dialects():
    """The values of Post.dialect (list of str), or [] while posts have no dialect."""
    try:
        field = Post._meta.get_field("dialect")
    except FieldDoesNotExist:
        return []
    return [str(value) for value, _label in field.flatchoices]


class CheckedImageForm(ImageForm):
    def clean(self):
        sent = self.cleaned_data.get("image")
        if sent and sent.content_type not in settings.MARKDOWNX_UPLOAD_CONTENT_TYPES:
            # markdownx's own words, "File type is not supported.", name no way out.
            raise MarkdownxImageUploadError(
                f"Files of type {sent.content_type or 'unknown'} are not accepted; "
                "use a JPEG, PNG, GIF or WebP image."
            )
        upload = super().clean()
        # markdownx reads its size limit once at import; read the setting on each upload.
        limit = settings.MARKDOWNX_UPLOAD_MAX_SIZE
        if upload.size > limit:
            raise MarkdownxImageUploadError.invalid_size(current=upload.size, expected=limit)
        try:
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise MarkdownxImageUploadError(
                        f"{image.format} images are not accepted; use JPEG, PNG, GIF or WebP."
                    )
                if image.width * image.height > MAX_PIXELS:
                    raise MarkdownxImageUploadError(
                        f"The image is {image.width} × {image.height} pixels; "
                        f"at most {MAX_PIXELS // 1_000_000} million pixels are accepted."
                    )
                image_format = image.format
                # Decode every pixel (bounded by MAX_PIXELS): verify() reads no JPEG data,
                # so a truncated JPEG passed it and then failed markdownx's processing with
                # a 500 (issue 19). Pillow refuses truncated data unless told otherwise.
                image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise MarkdownxImageUploadError("The file is not an image.") from None
        finally:
            upload.seek(0)
        # markdownx names and processes the stored file after the client's name and
        # content type; use what the bytes are instead, so "x.html" is never stored.
        upload.name = f"image.{ACCEPTED_FORMATS[image_format]}"
        upload.content_type = f"image/{image_format.lower()}"
        return upload


@require_POST
@staff_only
def upload_image(request):
    """Store an image sent as ``image`` and answer in markdownx's shape (issue 22).

    200: ``{"image_code": "![](url)", "url": url, "width": w, "height": h}``, the
    stored image's address and size in pixels (after markdownx scales it down to
    MARKDOWNX_IMAGE_MAX_SIZE). The editor writes ``![description](url)`` itself.
    400: markdownx's form errors, ``{"image": [message, ...]}`` or
    ``{"__all__": [message, ...]}``, each a sentence an editor can act on.
    """
    form = CheckedImageForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        return JsonResponse(
            {name: [error["message"] for error in found] for name, found in errors.items()},
            status=400,
        )
    url = form.save(commit=True)
    width, height = image_size(url) or (None, None)
    return JsonResponse({"image_code": f"![]({url})", "url": url, "width": width, "height": height})
