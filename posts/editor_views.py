"""The admin Markdown editor's endpoints (markdownx's preview and image upload).

markdownx's own views answer anyone; these answer staff only (403 otherwise),
refuse a request without content, and check an upload as an image by its bytes.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST
from markdownx.exceptions import MarkdownxImageUploadError
from markdownx.forms import ImageForm
from PIL import Image, UnidentifiedImageError

from . import markdown

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
    """Live preview: the exact HTML a post's page would show."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("The preview needs a 'content' field.")
    return HttpResponse(markdown.render_preview(content))


class CheckedImageForm(ImageForm):
    def clean(self):
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
                    raise MarkdownxImageUploadError("The image has too many pixels.")
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
    """Store a dropped image and answer with the Markdown that shows it."""
    form = CheckedImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    url = form.save(commit=True)
    return JsonResponse({"image_code": f"![]({url})"})
