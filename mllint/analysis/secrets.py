"""Recognisers for credentials and personal data in text (ML602, ML605).

Pure text functions, no syntax trees: the security rules run them on string
literals, notebook outputs and shell lines alike. They are tuned to be quiet:
a credential must match a provider's token format or be a random-looking value
bound to a credential-like name, and personal data must have the shape of an
e-mail address, a separated phone number or a Luhn-valid card number with a
card network's prefix. Nothing here ever returns a value for display except
through :func:`mask_secret` / the ``masked`` fields.

They read notebook outputs and files of any size, so every pattern runs in
linear time: no two quantifiers may compete for the same characters (a line
start is followed by spaces and tabs, never by a whitespace class that crosses
lines; a tag cannot contain ``<``, so no ``<`` rescans the text to its end), and
the private key's preamble is skipped by a loop over a bounded window rather
than by a nested repetition, which backtracked exponentially.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from mllint.syntax.text_search import finditer_near

# --- credentials ------------------------------------------------------------------


@dataclass(frozen=True)
class SecretMatch:
    """A credential found in text; ``value`` is the secret and must never be shown."""

    kind: str
    value: str
    start: int  # offset of the match in the scanned text


def _has_digit_and_letter(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def _mixed_case_and_digit(token: str) -> bool:
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


def _looks_random(value: str) -> bool:
    """Credentials mix letters and digits, or are long; a word (``"EasyNegative"``,
    a textual-inversion token) is a name, not a secret."""
    return _has_digit_and_letter(value) or len(value) >= 32


def _always(_: str) -> bool:
    return True


def _nowhere(_text: str, _start: int) -> bool:
    return False


def _group_one(match: re.Match[str]) -> str | None:
    return match.group(1)


#: What may stand between a private key's header and its body: whitespace, escaped
#: line breaks (a key inside a string literal) and ``Name: value`` lines
#: (``Proc-Type: 4,ENCRYPTED``). One item at a time, never backtracked into.
_KEY_PREAMBLE = re.compile(r"\s+|\\[nr]|[A-Za-z-]+:[^\n\\]*")
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
#: Characters after the header within which the key's body must start.
_KEY_PREAMBLE_WINDOW = 1024


def _private_key_body(header: re.Match[str]) -> str | None:
    """The base64 body that follows a private key's header, if one does."""
    text, position = header.string, header.end()
    window = position + _KEY_PREAMBLE_WINDOW
    while (item := _KEY_PREAMBLE.match(text, position, window)) is not None and item.end() > position:
        position = item.end()
    body = _KEY_BODY.match(text, position)
    return body.group() if body else None


@dataclass(frozen=True)
class _TokenFormat:
    kind: str
    #: Finds the token (its group 1), or where one starts (see ``token``).
    pattern: re.Pattern[str]
    #: A further test on the token: provider formats with a short prefix are
    #: random base62, so a token without digits is an identifier, not a key.
    random: Callable[[str], bool] = _always
    #: The token a match of ``pattern`` stands for (None: no token there).
    token: Callable[[re.Match[str]], str | None] = _group_one
    #: Where a match is public by design, not a credential (the text, the match's start).
    public: Callable[[str, int], bool] = _nowhere


def _signed_url_credential(text: str, start: int) -> bool:
    """An access key id as a pre-signed S3 URL's ``X-Amz-Credential``: the URL is
    made to be handed out (its signature expires), and a key id without its secret
    key opens nothing."""
    return text[max(0, start - len(_SIGNED_URL_PARAMETER)):start].lower() == _SIGNED_URL_PARAMETER


_SIGNED_URL_PARAMETER = "x-amz-credential="


_B = r"(?<![A-Za-z0-9_\-])"  # not inside a longer word
_E = r"(?![A-Za-z0-9_\-])"

#: Provider token formats, most specific first (Anthropic before OpenAI).
TOKEN_FORMATS: tuple[_TokenFormat, ...] = (
    _TokenFormat("private key block", re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----"), token=_private_key_body),
    _TokenFormat("Anthropic API key", re.compile(_B + r"(sk-ant-[A-Za-z0-9_\-]{20,})" + _E), _has_digit_and_letter),
    _TokenFormat(
        "OpenAI API key",
        re.compile(_B + r"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,})" + _E),
        _mixed_case_and_digit,
    ),
    _TokenFormat("Hugging Face token", re.compile(_B + r"(hf_[A-Za-z0-9]{30,})" + _E), _has_digit_and_letter),
    _TokenFormat("GitHub token", re.compile(_B + r"(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})" + _E), _has_digit_and_letter),
    _TokenFormat("AWS access key id", re.compile(r"(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])"),
                 public=_signed_url_credential),
    _TokenFormat("Google API key", re.compile(_B + r"(AIza[0-9A-Za-z_\-]{35})" + _E)),
    _TokenFormat("Slack token", re.compile(_B + r"(xox[baprs]-[0-9A-Za-z\-]{10,})" + _E), _has_digit_and_letter),
)

#: ``scheme://user:password@host``; the password is group 3.
_URL_USER_PASSWORD = r"://([^\s:/@'\"<>]+):([^\s@/'\"<>]+)@([^\s/'\"<>?#]+)"
_URL_CREDENTIALS = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]{0,30})" + _URL_USER_PASSWORD)

#: Cheap pre-filter for any of the above in a file's text (the formats without
#: their randomness checks; a private key's header without its body).
TOKEN_PREFILTER = re.compile("|".join([*(f.pattern.pattern for f in TOKEN_FORMATS), _URL_CREDENTIALS.pattern]))
#: A format's look-behind before it and look-ahead after it ("not inside a longer word").
_WORD_EDGES = re.compile(r"^\(\?<![^)]*\)|\(\?![^)]*\)$")
#: Each format of ``TOKEN_PREFILTER`` alone, without the assertions at its ends (a
#: URL's from its ``://``): each then starts with a literal, which ``re`` skips
#: ahead to, where an alternation of formats or a leading look-behind makes it
#: try every position; and a long run of a format's characters is read once (a
#: look-ahead failing at its end, tried from each prefix in the run, would rescan
#: it). Each matches at least what its format does: together they gate the pre-filter.
TOKEN_GATES: tuple[re.Pattern[str], ...] = (
    *(re.compile(_WORD_EDGES.sub("", f.pattern.pattern)) for f in TOKEN_FORMATS),
    re.compile(_URL_USER_PASSWORD),
)

# Values that stand in for a credential in docs, templates and tests.
_PLACEHOLDER_WORDS = (
    "your", "example", "placeholder", "changeme", "change_me", "change-me", "dummy", "fake", "sample",
    "redacted", "replace", "insert", "xxxx", "****", "...", "todo", "test", "here", "<", ">",
)
#: Stand-ins inside provider-format tokens (``sk-xxxx…``, ``AKIAIOSFODNN7EXAMPLE``).
_TOKEN_PLACEHOLDER_WORDS = ("xxxx", "example", "your", "placeholder", "dummy", "fake", "redacted", "****", "0000000",
                            "1234567", "abcdef")
_TEMPLATE = re.compile(r"^\$\{?\w+\}?$|\{[^{}]*\}|%\(\w+\)s")
_ENV_VAR_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SLUG = re.compile(r"^[a-z]+(?:[-_.][a-z0-9]+)+$")
_FILE_NAME = re.compile(r"^[\w.\-]+\.(?:json|txt|ya?ml|pem|key|env|cfg|ini|toml|pkl|bin|crt|p12|pfx|gpg)$", re.I)
_DEFAULT_PASSWORDS = frozenset(
    {"password", "pass", "passwd", "pwd", "secret", "changeme", "postgres", "root", "admin", "guest",
     "user", "test", "mysql", "redis", "none", "null", "xxx"}
)
#: A dictionary password with a counter (``password123``, ``Admin1!``, ``qwerty2024``):
#: the stand-in of test users and tutorials, not a secret anyone could steal.
_WEAK_PASSWORD = re.compile(
    r"^(?:password|passw0rd|pass|passwd|pwd|secret|changeme|postgres|root|admin|guest|user|test|mysql|redis|"
    r"qwerty|letmein|welcome|default|demo|hello|abc)(?:[\W_]*\d+)?[\W_]*$",
    re.I,
)


def is_placeholder(value: str, *, min_length: int = 8) -> bool:
    """True when *value* is not plausibly a real credential: empty or short,
    prose (whitespace), a template (``${VAR}``, ``{password}``), an environment
    variable's name, a file name, a kebab/snake slug, or a documentation stand-in
    (``<your-key>``, ``changeme``, ``xxxx``, ``***``)."""
    stripped = value.strip()
    lowered = stripped.lower()
    if len(stripped) < min_length or any(c.isspace() for c in stripped):
        return True
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or lowered in _DEFAULT_PASSWORDS:
        return True
    if _WEAK_PASSWORD.match(stripped):
        return True
    if len(set(stripped)) <= 2 or stripped.isdigit() or "://" in stripped:
        return True
    if stripped.startswith(("/", "./", "~", "$", "%")):
        return True
    return bool(_TEMPLATE.search(stripped) or _ENV_VAR_NAME.match(stripped) or _SLUG.match(stripped)
                or _FILE_NAME.match(stripped))


def _is_token_placeholder(token: str) -> bool:
    lowered = token.lower()
    return any(word in lowered for word in _TOKEN_PLACEHOLDER_WORDS)


def find_tokens(text: str) -> Iterator[SecretMatch]:
    """Provider-format credentials and passwords in connection URLs, in text order
    per format. A token that is a placeholder (``sk-xxxx…``) is skipped. A format
    is searched where its gate (``TOKEN_GATES``) finds something: notebook outputs
    are megabytes of text in which a format's leading look-behind is tried at
    every position."""
    for fmt, gate in zip(TOKEN_FORMATS, TOKEN_GATES):
        if gate.search(text) is None:
            continue
        for match in fmt.pattern.finditer(text):
            token = fmt.token(match)
            if token is not None and fmt.random(token) and not _is_token_placeholder(token) \
                    and not fmt.public(text, match.start()):
                yield SecretMatch(fmt.kind, token, match.start())
    if TOKEN_GATES[-1].search(text) is None:
        return
    for match in _URL_CREDENTIALS.finditer(text):
        user, password = match.group(2), match.group(3)
        if password != user and not is_placeholder(password, min_length=4) and user.lower() != "x-oauth-basic":
            yield SecretMatch(f"password in a `{match.group(1).lower()}://` connection URL", password, match.start(3))


# --- credential-like names ----------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SECRET_NAME = re.compile(
    r"(?:^|_)(api_?key|apikey|access_?key|secret_?access_?key|secret_?key|private_?key|client_?secret|secret|"
    r"token|password|passwd|pwd|passphrase)$"
)
#: Tokenizer vocabulary and counters named ``*_token``: ML code is full of them.
_NOT_SECRET_TOKEN = re.compile(
    r"(?:^|_)(pad|eos|bos|unk|cls|sep|mask|start|end|stop|sos|eot|special|image|img|audio|video|vision|"
    r"begin|default|next|page|split|placeholder|prefix|suffix|delimiter|think|tool|query|doc|ignore|blank|"
    r"space|newline|word|sub|max|min|num|n|first|last|new|decoder_start|bot|eom|eog|fim|im_start|im_end)_token$"
)
_SERVICES = (
    ("aws", "AWS"), ("wandb", "W&B"), ("comet", "Comet"), ("neptune", "Neptune"), ("openai", "OpenAI"),
    ("anthropic", "Anthropic"), ("huggingface", "Hugging Face"), ("hf", "Hugging Face"), ("github", "GitHub"),
    ("slack", "Slack"), ("mlflow", "MLflow"), ("kaggle", "Kaggle"),
)


def normalise_name(name: str) -> str:
    """``apiKey`` / ``API-KEY`` / ``api.key`` -> ``api_key``."""
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name).lower()).strip("_")


def credential_name_kind(name: str) -> str | None:
    """What kind of credential a variable, key or parameter *name* holds, or None."""
    normal = normalise_name(name)
    found = _SECRET_NAME.search(normal)
    if found is None or _NOT_SECRET_TOKEN.search(normal):
        return None
    word = found.group(1)
    if word.startswith(("pass", "pwd")):
        kind = "password"
    elif word == "token":
        kind = "token"
    elif "api" in word:
        kind = "API key"
    elif "access" in word:
        kind = "secret access key" if "secret" in word else "access key"
    elif "private" in word:
        kind = "private key"
    else:
        kind = "secret key" if "key" in word else "secret"
    parts = set(normal.split("_"))
    for marker, service in _SERVICES:
        if marker in parts or (len(marker) > 3 and marker in normal):
            return f"{service} {kind}"
    return kind


#: What an access token is made of: base64/base62/hex and the separators of JWTs
#: and provider formats. Tokenizer vocabulary (``"[CLS]"``, ``"<|endoftext|>"``,
#: SentencePiece pieces) has brackets, pipes or non-ASCII characters.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-.=+/:~]+$")


def named_secret_kind(name: str, value: str) -> str | None:
    """The credential kind when the literal *value* bound to *name* is a secret.

    *value* must itself look like a credential: long enough, no prose, no
    template or placeholder, not an environment variable's name; bound to a
    ``*token`` name, it must also have an access token's shape, since models and
    tokenizers name many things ``*_token`` (``class_token``, ``pad_token``).
    """
    kind = credential_name_kind(name)
    if kind is None or is_placeholder(value) or not _looks_random(value) or _is_dotted_name(value):
        return None
    if kind.endswith("token") and not _TOKEN_SHAPE.match(value):
        return None
    return kind


_NAME_PART = re.compile(r"_*[a-z][a-z0-9]*(?:_+[a-z0-9]+)*|_*[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*")


def _is_dotted_name(value: str) -> bool:
    """An import path or entry point (``pkg.auth.tokens``, ``._internal.cloud.api_token:ApiToken``,
    a lazy-import table's value): snake_case or CapWords words joined by dots, three or
    more, or with a colon. A token's random parts are neither (a JWT's are mixed case)."""
    parts = re.split(r"[.:]", value.lstrip("."))
    return (len(parts) >= 3 or ":" in value) and len(parts) >= 2 and all(_NAME_PART.fullmatch(p) for p in parts)


_NAME_VALUE = re.compile(
    r"(?i)(?<![A-Za-z0-9_.\-])([A-Za-z0-9_.\-]{0,60}?(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|"
    r"secret|token|password|passwd|pwd|passphrase))[\"']?\s*[:=]\s*[\"']?([^\s\"',;}\])]+)"
)


#: ``http://localhost:8888/lab?token=…``: a local Jupyter session's login, not a
#: credential to anything shared.
_LOCAL_URL_PREFIX = re.compile(r"://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)[:/][^\s]*$")


#: Every name ``_NAME_VALUE`` accepts holds one of these, in some letter case,
#: at most ``_NAME_VALUE_REACH`` characters from its start (60 before the
#: credential word, ``private_`` in it).
_NAME_VALUE_WORDS = ("key", "secret", "token", "pass", "pwd")
_NAME_VALUE_REACH = 60 + len("private_")


def find_named_secrets(text: str) -> Iterator[SecretMatch]:
    """``NAME=value`` / ``'name': 'value'`` pairs in free text (shell lines,
    printed configs)."""
    for match in finditer_near(_NAME_VALUE, text, _NAME_VALUE_WORDS, _NAME_VALUE_REACH):
        name, value = match.group(1), match.group(2)
        kind = named_secret_kind(name, value)
        if kind is not None and not _LOCAL_URL_PREFIX.search(text, max(0, match.start() - 300), match.start()):
            yield SecretMatch(kind, value, match.start(2))


def find_secrets_in_text(text: str) -> list[SecretMatch]:
    """Every credential in free text, once: token formats first, then a named
    secret unless its value overlaps a credential already found there, and a
    value found before is not found again. Sets and a sorted list of spans, so a
    megabyte of tokens costs n log n, not n squared."""
    values: set[str] = set()
    spans: list[tuple[int, int]] = []  # sorted, not overlapping
    found: list[SecretMatch] = []
    for match in [*find_tokens(text), *find_named_secrets(text)]:
        start = text.find(match.value, match.start)
        span = (start, start + len(match.value)) if start >= 0 else (match.start, match.start + len(match.value))
        place = bisect.bisect_left(spans, span)
        overlaps = (place > 0 and spans[place - 1][1] > span[0]) or (place < len(spans) and spans[place][0] < span[1])
        if match.value in values or overlaps:
            continue
        values.add(match.value)
        spans.insert(place, span)
        found.append(match)
    return found


def mask_secret(value: str) -> str:
    """All but at most 4 leading characters hidden (fewer for short values),
    with a fixed-width mask that does not reveal the length."""
    shown = min(4, len(value) // 4)
    return value[:shown] + "*" * 12


# --- personal data --------------------------------------------------------------------


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # "e-mail address", "phone number", "credit card number"
    value: str  # normalised; identifies duplicates, never shown
    masked: str


_EMAIL = re.compile(r"(?<![\w.%+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})@((?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,24})(?![\w\-@]|\.[A-Za-z])")
_EXAMPLE_DOMAINS = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost|local)$", re.I)
_ROLE_MAILBOXES = frozenset(
    {"noreply", "no-reply", "donotreply", "do-not-reply", "git", "info", "support", "contact", "admin", "help",
     "sales", "security", "team", "hello", "webmaster", "postmaster", "mailer-daemon", "abuse", "privacy"}
)
#: Mailing-list machinery (``list-unsubscribe@``, ``owner-list@``): not a person.
_LIST_MAILBOX = re.compile(r"unsubscribe|subscribe|-request$|-owner$|^owner-|bounce|majordomo|listserv|mailman", re.I)
#: Package, git and authorship metadata name maintainers publicly: not data subjects.
_METADATA_LINE = re.compile(
    r"^[ \t]*:?(?:Author|Maintainer|Author-email|Maintainer-email|Signed-off-by|Co-authored-by|Committer|Reported-by|"
    r"Creator|Donor)s?\b.*$",
    re.I | re.M,
)

_US_PHONE = re.compile(r"(?<![\w.+/\-])(?:\(([2-9]\d{2})\) ?|([2-9]\d{2})[ .\-])[2-9]\d{2}[ .\-]\d{4}(?![\w/\-]|\.\d)")
_INTL_PHONE = re.compile(r"(?<![\w+.])\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]\d{1,5}){2,5}(?![\w/]|[.\-]\d)")
_CARD = re.compile(
    r"(?<![\w.,\-])(?:\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ \-])\d{6}\2\d{5})(?![\w]|[.,]\d)"
)
_TAG = re.compile(r"<[^<>]*>")
_FOUR_DIGITS = re.compile(r"\d{4}")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_network(digits: str) -> bool:
    """Issuer prefix and length of a major card network (Visa, Mastercard, Amex,
    Discover, JCB, Diners, UnionPay): arbitrary IDs rarely have both."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    return (
        (digits[0] == "4" and n in (13, 16, 19))
        or ((51 <= two <= 55 or 2221 <= four <= 2720) and n == 16)
        or (two in (34, 37) and n == 15)
        or ((four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649) and 16 <= n <= 19)
        or (3528 <= four <= 3589 and 16 <= n <= 19)
        or ((300 <= int(digits[:3]) <= 305 or two in (36, 38)) and n == 14)
        or (two == 62 and 16 <= n <= 19)
    )


def html_to_text(markup: str) -> str:
    return html.unescape(_TAG.sub(" ", markup))


def _is_not_personal(local: str, domain: str) -> bool:
    """Example domains, role and list mailboxes, and toy addresses (``a@b.com``)."""
    labels = domain.lower().split(".")
    return bool(
        _EXAMPLE_DOMAINS.search(domain)
        or local.lower() in _ROLE_MAILBOXES
        or _LIST_MAILBOX.search(local)
        or "noreply" in domain.lower()
        or len(labels[-2]) == 1
    )


def find_pii(text: str) -> Iterator[PiiMatch]:
    """E-mail addresses, phone numbers and card numbers in output text. Each
    pattern is searched only in text holding a character it needs (an ``@``, a
    ``+``, four digits in a row): they start with look-behinds, tried at every
    position of megabytes of notebook output."""
    if "@" in text:
        for match in _EMAIL.finditer(_METADATA_LINE.sub("", text)):
            local, domain = match.group(1), match.group(2)
            if _is_not_personal(local, domain):
                continue
            yield PiiMatch("e-mail address", match.group(0).lower(), f"{local[0]}***@***.{domain.rsplit('.', 1)[1]}")
    four_digits = _FOUR_DIGITS.search(text) is not None  # a US number's last four, a card's
    for match in _US_PHONE.finditer(text) if four_digits else ():
        yield PiiMatch("phone number", re.sub(r"\D", "", match.group(0)), "***-***-**" + match.group(0)[-2:])
    for match in _INTL_PHONE.finditer(text) if "+" in text else ():
        digits = re.sub(r"\D", "", match.group(0))
        if 10 <= len(digits) <= 15:
            yield PiiMatch("phone number", digits, "+** ***" + digits[-2:])
    for match in _CARD.finditer(text) if four_digits else ():
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _card_network(digits) and luhn_valid(digits):
            yield PiiMatch("credit card number", digits, "*" * (len(digits) - 4) + digits[-4:])
