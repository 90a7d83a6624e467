"""Which calls fetch from the network, and whether they can be tampered with.

Two security questions need the same knowledge of download APIs: where a file
given to a loader comes from (:mod:`mllint.analysis.provenance`: a downloaded
file is as dangerous as its server and the path to it) and whether a download
can be read or replaced in transit (ML604: plain HTTP to a host outside the
local network, or an HTTP client told not to check TLS certificates). This
module holds the tables of HTTP clients, downloaders and remote readers, and
answers those questions with facts (the URL's host, the setting that turns TLS
checks off); the rules write the messages.

Calls are recognised by their qualified name and, where that cannot tell
(``session.get``, a project's ``download_file``), by the name they are called
by: that is how projects wrap these APIs.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, NamedTuple

from mllint.analysis.values import binding, last_segment, string_text
from mllint.engine.context import ModuleContext
from mllint.syntax.cst import positional
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


# --- downloads ------------------------------------------------------------------------

#: Calls, by the name they are called by, whose result is a downloaded file or response.
_DOWNLOADERS = frozenset(
    {
        "urlretrieve", "urlopen", "hf_hub_download", "cached_download", "snapshot_download", "download_url_to_file",
        "download_url", "download_file", "download", "get_file", "cached_path", "load_url",
    }
)
_HTTP_PACKAGES = frozenset({"requests", "httpx", "urllib3", "aiohttp", "urllib"})


def returns_download(name: str | None, last: str | None) -> bool:
    """Whether a call's result comes from the network: a known downloader by the
    name it is called by (*last*), or any call into an HTTP package (qualified
    *name*). A loader given that result reads whatever the server sent."""
    return last in _DOWNLOADERS or (name is not None and name.split(".")[0] in _HTTP_PACKAGES)


# --- plain HTTP -------------------------------------------------------------------------

#: Calls that fetch the URL they are given.
_HTTP_CALLS = frozenset(
    {
        *(f"{lib}.{verb}" for lib in ("requests", "httpx", "requests.api")
          for verb in ("get", "post", "put", "patch", "head", "request", "stream")),
        "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.Request", "urllib.urlopen",
        "urllib.urlretrieve", "urllib2.urlopen", "six.moves.urllib.request.urlopen", "six.moves.urllib.request.urlretrieve",
        "wget.download", "gdown.download", "torch.hub.load_state_dict_from_url", "torch.hub.download_url_to_file",
        "torch.utils.model_zoo.load_url", "keras.utils.get_file", "tensorflow.keras.utils.get_file",
        "datasets.load_dataset", "fsspec.open", "fsspec.open_files", "smart_open.open", "numpy.loadtxt",
        "numpy.genfromtxt", "urllib3.request", "aiohttp.request",
    }
)
#: Data-frame readers, which accept URLs as well as paths.
_READER_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_", "dask.dataframe.read_")
#: Unresolved calls (``session.get(url)``, a project's ``download(url)``) that fetch what they are given.
_FETCH_NAMES = re.compile(r"^(?:get|post|put|patch|request|stream|urlopen|urlretrieve|open_url|get_file|load_url|"
                          r"download\w*|fetch\w*|read_\w+)$")
#: Keyword arguments a fetching call takes its URL(s) by.
_URL_KEYWORDS = ("url", "urls", "origin", "path", "data_files", "filepath_or_buffer", "source", "uri", "fname", "file", "io")
_PLAIN_HTTP = re.compile(r"^http://([^/?#\s]*)", re.I)
_INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".svc", ".lan", ".home.arpa")


class PlainHttpFetch(NamedTuple):
    """A call that fetches from a plain-HTTP URL on a host outside the local network."""

    argument: cst.BaseExpression  # the argument holding the URL, or a list or name holding it
    host: str  # the URL's host (and port), without credentials


def _is_internal_host(host: str) -> bool:
    """Loopback, private-network and single-label (container/service) hosts: plain
    HTTP there does not cross the internet."""
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.lower().rstrip(".")
    if not host or "{" in host or host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


def plain_http_host(text: str) -> str | None:
    """The host of a plain-HTTP URL outside the local network, *text* being the
    URL; None for any other text."""
    match = _PLAIN_HTTP.match(text.strip())
    if match is None or _is_internal_host(match.group(1)):
        return None
    return match.group(1).rsplit("@", 1)[-1]


def _fetches(name: str | None, last: str) -> bool:
    return (name in _HTTP_CALLS or (name is not None and name.startswith(_READER_PREFIXES))
            or (name is None and bool(_FETCH_NAMES.match(last))))


def _url_host(ctx: ModuleContext, value: cst.BaseExpression, depth: int = 0) -> str | None:
    """The external plain-HTTP host of a URL literal, of one in a collection literal,
    or of what a variable was last assigned (two levels deep)."""
    if isinstance(value, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        for element in value.elements:
            inner = element.value
            host = _url_host(ctx, inner, depth + 1) if depth < 2 else None
            if host is not None:
                return host
        return None
    if isinstance(value, cst.Name) and depth < 2:
        bound = binding(ctx, value.value, value)
        return _url_host(ctx, bound, depth + 1) if bound is not None else None
    text = string_text(value)
    return plain_http_host(text) if text is not None else None


def plain_http_fetch(ctx: ModuleContext, call: cst.Call) -> PlainHttpFetch | None:
    """The first URL argument of a fetching call that goes over plain HTTP to a host
    outside the local network, where the response can be read and replaced in
    transit; None when the call does not fetch or all its URLs are safe to use."""
    if not _fetches(ctx.call_name(call), last_segment(call) or ""):
        return None
    candidates = [a.value for a in positional(call)]
    candidates += [a.value for a in call.args if a.keyword is not None and a.keyword.value in _URL_KEYWORDS]
    for value in candidates:
        host = _url_host(ctx, value)
        if host is not None:
            return PlainHttpFetch(value, host)
    return None


# --- TLS certificate checks ---------------------------------------------------------------

#: Packages whose clients take ``verify=`` for certificate checking.
_TLS_PACKAGES = frozenset({"requests", "httpx", "urllib3", "boto3", "botocore", "aiohttp"})
#: Their request methods and client constructors, for calls on unresolved objects.
_TLS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send",
                          "Session", "Client", "AsyncClient", "client", "resource"})
#: Settings of the ``ssl`` module that turn certificate checks off.
TLS_DISABLERS = ("_create_unverified_context", "CERT_NONE")


#: A URL's host (and port), behind any scheme, written or interpolated (``{}://``).
_ANY_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*|\{\})://([^/?#\s]*)", re.I)


def requests_local_host(ctx: ModuleContext, call: cst.Call) -> bool:
    """Whether a request's URL (its first argument or ``url=``, a literal or a name
    assigned one) names a host inside the local network, or one filled in at run
    time: checking no certificate there crosses no network (a test talking to the
    server it started with a self-signed certificate, ``https://localhost:8443``).
    Like a plain-HTTP URL there, it is not reported."""
    values = [a.value for a in positional(call)[:1]]
    values += [a.value for a in call.args if a.keyword is not None and a.keyword.value == "url"]
    for value in values:
        if isinstance(value, cst.Name):
            value = binding(ctx, value.value, value) or value
        text = string_text(value)
        match = _ANY_URL.match(text.strip()) if text is not None else None
        if match is not None:
            return _is_internal_host(match.group(1))
    return False


def is_http_client_call(ctx: ModuleContext, call: cst.Call) -> bool:
    """Whether a call goes to an HTTP client whose ``verify=`` flag checks TLS
    certificates (a package's function or client, or a request method on an
    object of unknown type), rather than to any function with a ``verify`` flag."""
    name = ctx.call_name(call)
    if name is not None:
        return name.split(".")[0] in _TLS_PACKAGES
    return (last_segment(call) or "") in _TLS_METHODS


def holds_http_client(ctx: ModuleContext, variable: cst.Name) -> bool:
    """Whether a variable holds an HTTP client: built by a call into an HTTP package,
    or, when it was not built by a call, named like one (``session``, ``client``,
    ``http``), so that setting its ``verify`` flag is about TLS."""
    bound = binding(ctx, variable.value, variable)
    if isinstance(bound, cst.Call):
        name = ctx.call_name(bound)
        return name is not None and name.split(".")[0] in _TLS_PACKAGES
    return any(word in variable.value.lower() for word in ("session", "client", "http"))


def disabled_tls_check(ctx: ModuleContext, node: cst.Attribute | cst.Name) -> str | None:
    """The ``ssl`` setting this reference uses to turn TLS certificate checks off:
    ``ssl._create_unverified_context``, or ``ssl.CERT_NONE`` where it is assigned
    or passed (not where it is compared); None otherwise, and in imports."""
    if isinstance(node, cst.Name) and node.value not in TLS_DISABLERS:
        return None
    if isinstance(node, cst.Attribute) and node.attr.value not in TLS_DISABLERS:
        return None
    qualified = ctx.qualified_name(node)
    if any(isinstance(a, (cst.Import, cst.ImportFrom)) for a in ctx.ancestors):
        return None
    parent = ctx.ancestors[-1] if ctx.ancestors else None
    if qualified == "ssl._create_unverified_context":
        return qualified
    if qualified == "ssl.CERT_NONE" and isinstance(parent, (cst.Assign, cst.Arg)) and not _server_option(ctx, parent):
        return qualified
    return None


def _server_option(ctx: ModuleContext, parent: cst.Assign | cst.Arg) -> bool:
    """``ssl_cert_reqs``, the option of a server (uvicorn, gunicorn, hypercorn) saying
    whether its clients must show a certificate: ``CERT_NONE`` there is no mutual
    TLS, not a download that skips checking the server it talks to."""
    if isinstance(parent, cst.Arg):
        return parent.keyword is not None and parent.keyword.value == _SERVER_CERT_OPTION
    return any(_SERVER_CERT_OPTION in ctx.code_for(target.target) for target in parent.targets)


_SERVER_CERT_OPTION = "ssl_cert_reqs"
