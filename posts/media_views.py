import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from core.http import read_only

# Files copied from Jekyll sites (posts.assets): shown inline as the old blog showed them.
IMPORTED = "imported/"
IMPORTED_INLINE = ("image/", "video/", "audio/", "application/pdf")
IMPORTED_FILE_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _shown_inline(content_type):
    return content_type.startswith(IMPORTED_INLINE)


@read_only
def uploaded_file(request, path):
    """Serve an uploaded image from the configured storage, in development and production.

    Upload names are random UUIDs, and files copied by an import are named by their
    content (posts.assets), so a file never changes and can be cached for a year. An
    imported image (SVG included), PDF, video or sound is served inline, sandboxed.
    A site with heavy image traffic should put its web server or a CDN in front of /media/.
    """
    try:
        if not default_storage.exists(path):
            raise Http404("No such file.")
        handle = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, ValueError, OSError):  # OSError: a directory, say
        raise Http404("No such file.") from None
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    imported = path.startswith(IMPORTED)
    if imported and _shown_inline(content_type):
        pass  # a file a Jekyll post showed (an SVG diagram, a PDF, a video): sandboxed below
    elif not content_type.startswith("image/") or content_type == "image/svg+xml":
        # Only raster images are ever uploaded; anything else is not served inline.
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    if imported:
        # Opened on its own, an SVG or a PDF is a document of the site's origin: the
        # sandbox keeps any script in it from running there (issue 21).
        response.headers["Content-Security-Policy"] = IMPORTED_FILE_POLICY
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
