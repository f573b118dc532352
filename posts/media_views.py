import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from core.http import read_only


@read_only
def uploaded_file(request, path):
    """Serve an uploaded image from the configured storage, in development and production.

    Upload names are random UUIDs, so a file never changes and can be cached for a year.
    A site with heavy image traffic should put its web server or a CDN in front of /media/.
    """
    try:
        if not default_storage.exists(path):
            raise Http404("No such file.")
        handle = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, ValueError, OSError):  # OSError: a directory, say
        raise Http404("No such file.") from None
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        # Only raster images are ever uploaded; anything else is not served inline.
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
