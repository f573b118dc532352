"""Who is asking: the client's address, trusting X-Forwarded-For only from known proxies."""

import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)
_warned_untrusted_forwarding = False


def _trusted_networks():
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request):
    """The client's address. X-Forwarded-For counts only when the peer is a trusted proxy.

    Walking the header from the right and skipping trusted proxies finds the first
    address a trusted machine saw; anything further left could be forged by the client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    networks = _trusted_networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for candidate in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _is_trusted(candidate, networks):
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def warn_untrusted_forwarding(request):
    """Log one warning per process, at the first request that carries X-Forwarded-For
    from a peer outside DJANGO_TRUSTED_PROXIES (issue 19): behind a proxy left out of
    the setting, every client is the proxy, and one client's failed log-ins lock out
    everyone's. Never raises."""
    global _warned_untrusted_forwarding
    if _warned_untrusted_forwarding or "HTTP_X_FORWARDED_FOR" not in request.META:
        return
    remote = request.META.get("REMOTE_ADDR", "")
    if _is_trusted(remote, _trusted_networks()):
        return
    _warned_untrusted_forwarding = True
    logger.warning(
        "A request came with X-Forwarded-For from %s, which is not in DJANGO_TRUSTED_PROXIES: "
        "its clients are all counted as %s (rate limits, logs). If %s is your proxy, add it.",
        remote,
        remote,
        remote,
    )


def network_hash(address):
    """A keyed hash of the address's network (IPv4 /24, IPv6 /48), never the address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, str(network).encode(), hashlib.sha256).hexdigest()
